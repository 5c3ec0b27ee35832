using System.Globalization;

namespace CommitLog.IntegrationTests.Crash;

/// <summary>
/// At-least-once across kill -9 (R5, R8): a consumer in a group, in a child process that owns the broker, is killed at
/// random points mid-batch and restarted in the group again and again. Checked: every commit the child reported survives
/// the kill (the group resumes at or after it, never before: committed offsets never move backwards), no record is
/// skipped (the group resumes at most one past the last record it handed out), and by the end every record was
/// consumed. <c>COMMITLOG_GROUP_CRASH_CYCLES</c> sets the number of kills (default 12).
/// </summary>
[Collection(nameof(RealProcessCollection))]
public sealed class GroupCrashTests : IDisposable
{
    private const int Partitions = 3;
    private const int Records = 3000;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "commitlog-group-crash-" + Guid.NewGuid().ToString("N"));

    private static string ChildPath => Path.Combine(AppContext.BaseDirectory, "group-child", "CommitLog.GroupChild.dll");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GroupConsumer_KilledMidBatchAndRestarted_SkipsNothingAndKeepsEveryCommit()
    {
        int cycles = int.TryParse(Environment.GetEnvironmentVariable("COMMITLOG_GROUP_CRASH_CYCLES"), CultureInfo.InvariantCulture, out int n)
            ? n : 12;
        string[] common = [$"dir={_directory}", "topic=orders", "group=billing"];
        using (var producer = CrashChild.StartProgram(ChildPath, [.. common, "mode=produce", $"partitions={Partitions}", $"count={Records}"]))
        {
            Assert.True(await producer.WaitForExitAsync(TimeSpan.FromMinutes(2), Ct), "The producing child did not finish.");
            Assert.True(producer.ExitCode == 0, $"The producing child failed: {producer.Stderr}");
        }

        var random = new Random(20261125);
        var consumed = new HashSet<(int, long)>();
        var committed = new long[Partitions];       // the highest commit the child reported, per partition
        var handedOut = new long[Partitions];       // one past the highest record the child handed out, per partition
        bool done = false;
        long[] committedSnapshot = new long[Partitions];
        long[] handedOutSnapshot = new long[Partitions];
        for (int cycle = 0; cycle <= cycles && !done; cycle++)
        {
            bool last = cycle == cycles;
            using var child = CrashChild.StartProgram(ChildPath, [.. common, "mode=consume", $"commit-every={random.Next(1, 40)}"]);
            if (last)
            {
                Assert.True(await child.WaitForExitAsync(TimeSpan.FromMinutes(3), Ct), "The last consuming child did not finish.");
            }
            else
            {
                await WaitForLinesAsync(child, random.Next(20, 400));
                await child.KillAsync(Ct);
            }

            var firstSeen = new long?[Partitions];
            foreach (string line in child.Lines)
            {
                string[] parts = line.Split(' ');
                switch (parts[0])
                {
                    case "GOT":
                        int p = int.Parse(parts[1], CultureInfo.InvariantCulture);
                        long offset = long.Parse(parts[2], CultureInfo.InvariantCulture);
                        firstSeen[p] ??= offset;
                        consumed.Add((p, offset));
                        handedOut[p] = Math.Max(handedOut[p], offset + 1);
                        break;
                    case "COMMITTED":
                        int cp = int.Parse(parts[1], CultureInfo.InvariantCulture);
                        long at = long.Parse(parts[2], CultureInfo.InvariantCulture);
                        Assert.True(at >= committed[cp], $"Cycle {cycle}: partition {cp} committed {at} after {committed[cp]}: a commit moved backwards.");
                        committed[cp] = at;
                        break;
                    case "DONE":
                        done = true;
                        break;
                }
            }

            Assert.True(last || child.Lines.Count > 0, $"Cycle {cycle}: the child printed nothing. stderr: {child.Stderr}");
            Assert.True(!last || done, $"The last child did not finish: exit {child.ExitCode}, stderr: {child.Stderr}");
            CheckResumePoints(cycle, firstSeen, committedBefore: committedSnapshot, handedOutBefore: handedOutSnapshot);
            committedSnapshot = [.. committed];
            handedOutSnapshot = [.. handedOut];
        }

        Assert.Equal(Records, consumed.Count);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>A restarted member resumes each partition at the last reported commit or later (the commit survived the
    /// kill) and no later than one past the last record handed out (nothing skipped).</summary>
    private static void CheckResumePoints(int cycle, long?[] firstSeen, long[] committedBefore, long[] handedOutBefore)
    {
        for (int p = 0; p < Partitions; p++)
        {
            if (firstSeen[p] is not { } first)
            {
                continue;
            }

            Assert.True(first >= committedBefore[p],
                $"Cycle {cycle}: partition {p} resumed at {first}, before the commit of {committedBefore[p]} that completed earlier: the commit was lost.");
            Assert.True(first <= handedOutBefore[p],
                $"Cycle {cycle}: partition {p} resumed at {first}, past {handedOutBefore[p]}: records were skipped.");
        }
    }

    private static async Task WaitForLinesAsync(CrashChild child, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (child.Lines.Count < count && !child.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5, Ct);
        }
    }
}

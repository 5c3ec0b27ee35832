using System.Globalization;
using CommitLog.Storage;

namespace CommitLog.IntegrationTests.Crash;

/// <summary>
/// R1, kill -9 crash cycles on the real file system. Each cycle starts the crash child on the same directory
/// (random small segments so it rolls often, retention by bytes in half the cycles, extra Roll/EnforceRetention
/// calls in half, 1-4 concurrent writers, sometimes compressed batches), SIGKILLs it at a seeded random moment
/// (sometimes before it finished opening, i.e. during recovery), then reopens the log in this process and checks
/// every acknowledgement with <see cref="LogVerifier"/>. With kill -9 the OS survives, so Written acks must survive
/// as well as Flushed ones.
/// </summary>
/// <remarks>
/// CI runs 210 cycles in all (70 per flush policy). Long form, 10,000 cycles:
/// <c>COMMITLOG_CRASH_CYCLES=10000 dotnet test --project tests/CommitLog.IntegrationTests -- --filter-class "*CrashCycleTests"</c>.
/// The seed is printed in the test output and in every failure; replay with <c>COMMITLOG_CRASH_SEED=&lt;seed&gt;</c>.
/// A failing cycle leaves its directory in place and names it.
/// </remarks>
[Collection(nameof(RealProcessCollection))]
public sealed class CrashCycleTests
{
    private const int DefaultTotalCycles = 210;
    private static readonly int[] SegmentSizes = [1024, 2048, 4096, 8192, 16384, 65536];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Os")]
    [InlineData("BeforeAck")]
    [InlineData("Every")]
    public async Task KillDashNine_RepeatedCycles_EveryAckSurvivesAndReopenNeverFails(string flush)
    {
        var total = Environment.GetEnvironmentVariable("COMMITLOG_CRASH_CYCLES") is { Length: > 0 } c
            ? int.Parse(c, CultureInfo.InvariantCulture)
            : DefaultTotalCycles;
        var cycles = (total + 2) / 3;
        var seed = Environment.GetEnvironmentVariable("COMMITLOG_CRASH_SEED") is { Length: > 0 } s
            ? int.Parse(s, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"kill -9 cycles: flush={flush} cycles={cycles} seed={seed} (replay: COMMITLOG_CRASH_SEED={seed})");
        var random = new Random(seed);
        var expected = flush == "BeforeAck" ? Durability.Flushed : Durability.Written;
        var directory = Path.Combine(Path.GetTempPath(), $"commitlog-crash-{flush}-{seed}-{Guid.NewGuid():N}");
        var verifier = new LogVerifier();
        int killedBeforeOpen = 0, acks = 0, maxSegments = 0, retentionCycles = 0;
        var started = DateTime.UtcNow;
        for (var cycle = 0; cycle < cycles; cycle++)
        {
            var retention = random.Next(2) == 0 ? random.Next(8, 129) * 1024L : -1;
            string[] arguments =
            [
                $"dir={directory}", $"flush={flush}", $"seed={random.Next()}", $"run={cycle}",
                $"writers={random.Next(1, 5)}", $"segment={SegmentSizes[random.Next(SegmentSizes.Length)]}",
                $"retention={retention}", $"churn={random.Next(2)}", $"pause={random.Next(20, 81)}",
                $"compression={(random.Next(10) switch { 0 => "Gzip", 1 => "Lz4", _ => "None" })}",
            ];
            var context = $"seed {seed}, flush {flush}, cycle {cycle} ({string.Join(' ', arguments)})";
            var early = random.Next(5) == 0;
            var delay = TimeSpan.FromMilliseconds(random.Next(early ? 250 : 300));
            using (var child = CrashChild.Start(arguments))
            {
                if (early)
                {
                    await Task.Delay(delay, Ct);
                }
                else
                {
                    var opened = await child.Opened.WaitAsync(TimeSpan.FromSeconds(60), Ct);
                    Assert.True(opened, $"{context}: the child exited before opening the log (exit {(child.HasExited ? child.ExitCode : -1)}): " +
                        $"{string.Join(" / ", child.Lines)} {child.Stderr}");
                    await Task.Delay(delay, Ct);
                }

                if (child.HasExited)
                {
                    Assert.Fail($"{context}: the child exited on its own before the kill (exit {child.ExitCode}): " +
                        $"{string.Join(" / ", child.Lines.Where(l => !l.StartsWith("ACK", StringComparison.Ordinal)))} {child.Stderr}");
                }

                await child.KillAsync(Ct);
                var lines = child.Lines;
                Assert.DoesNotContain(lines, l => l.StartsWith("FAIL", StringComparison.Ordinal) || l.StartsWith("CHURNFAIL", StringComparison.Ordinal));
                if (!lines.Any(l => l.StartsWith("OPEN", StringComparison.Ordinal)))
                {
                    killedBeforeOpen++;
                }

                var cycleAcks = ChildEvents.Acks(lines);
                acks += cycleAcks.Count;
                retentionCycles += retention >= 0 ? 1 : 0;
                verifier.Verify(directory, cycleAcks, expected, $"{context}, directory {directory}");
                maxSegments = Math.Max(maxSegments, verifier.SegmentCount);
            }
        }

        output?.WriteLine(
            $"done in {(DateTime.UtcNow - started).TotalSeconds:F1} s: {cycles} kills ({killedBeforeOpen} before the child finished opening), " +
            $"{acks} acks covering {verifier.AckedRecordsChecked} records verified ({verifier.AckedRecordsRetained} already removed by retention), " +
            $"{retentionCycles} cycles with retention, final log {verifier.LogStartOffset}..{verifier.LogEndOffset} in {verifier.SegmentCount} segments (max {maxSegments}).");
        Assert.True(acks > cycles, $"seed {seed}: only {acks} acks in {cycles} cycles; the children did too little work to test anything.");
        Directory.Delete(directory, recursive: true);
    }
}

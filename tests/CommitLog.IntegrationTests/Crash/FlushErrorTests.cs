using CommitLog.Storage;

namespace CommitLog.IntegrationTests.Crash;

/// <summary>
/// R6 on the real file system: fdatasync fails with EIO (injected by strace into the child process) while appends
/// run under <see cref="FlushPolicy.BeforeAck"/>. The child must see a fail-stopped <see cref="LogStorageException"/>
/// and must never acknowledge a record whose flush failed. The syscall trace is the independent witness: every ACK
/// line must be preceded by a successful fdatasync of its segment file that started after the record's pwrite and
/// before the first failed fdatasync of that file (a flush that succeeds after a failure proves nothing). The first
/// injected failure can hit another file, such as a producer-state snapshot, whose failure is logged and tolerated.
/// </summary>
/// <remarks>Needs strace (<c>apt-get install -y strace</c>) and ptrace; skipped with a message otherwise.</remarks>
[Collection(nameof(RealProcessCollection))]
public sealed class FlushErrorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // strace counts `when=` per thread, and the log's flushes run on whichever thread-pool thread the flush loop is
    // on; with group commit a thread may never reach a high count, and the run would inject nothing (and fail as
    // "exercised nothing"). Small thresholds are reached on every run.
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    public async Task BeforeAck_FdatasyncFailsWithEio_FailStopsAndNeverAcksUnflushedRecords(int failFrom)
    {
        var strace = FindStrace();
        if (strace is null)
        {
            Assert.Skip("strace is not installed (apt-get install -y strace); the EIO injection test needs it.");
        }

        var directory = Path.Combine(Path.GetTempPath(), $"commitlog-eio-{failFrom}-{Guid.NewGuid():N}");
        var trace = directory + ".strace";
        string[] wrapper =
        [
            strace, "-f", "--seccomp-bpf", "-qq", "-y", "-xx", "-s", "64", "-o", trace,
            "-e", "trace=fdatasync,pwrite64,write", "-e", $"inject=fdatasync:error=EIO:when={failFrom}+",
        ];
        string[] arguments = [$"dir={directory}", "flush=BeforeAck", "writers=3", "appends=3000", "pause=0", "segment=8192", $"seed={failFrom}"];
        List<string> lines;
        using (var child = CrashChild.Start(arguments, wrapper))
        {
            Assert.True(await child.WaitForExitAsync(TimeSpan.FromSeconds(120), Ct), "The child did not finish within 120 s (a fail-stopped log must not hang).");
            lines = [.. child.Lines];
            if (child.ExitCode != 0 && child.Stderr.Contains("PTRACE", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Skip($"strace cannot trace here: {child.Stderr}");
            }

            Assert.True(child.ExitCode == 0, $"The child failed (exit {child.ExitCode}): {string.Join(" / ", lines.Where(l => !l.StartsWith("ACK", StringComparison.Ordinal)))} {child.Stderr}");
        }

        var acks = ChildEvents.Acks(lines);
        var failures = ChildEvents.Failures(lines);
        var log = StraceLog.Parse(trace);
        var firstFailure = log.Syncs.FindIndex(s => s.Result != 0);
        Assert.True(firstFailure >= 0 && log.Syncs[firstFailure].Injected, "strace injected no failed fdatasync; the test exercised nothing.");
        // A failed fdatasync poisons later flushes of the same file only (the kernel reports a write-back error per
        // file): a failure on another file (a best-effort producer-state snapshot, say) says nothing about a segment.
        int FirstFailureOf(string path) => log.Syncs.Where(s => s.Path == path && s.Result != 0).Select(s => s.Line).DefaultIfEmpty(int.MaxValue).First();
        var tracedAcks = log.Stdout.Where(l => l.Text.StartsWith("ACK ", StringComparison.Ordinal)).ToList();
        Assert.Equal(acks.Count, tracedAcks.Count);
        foreach (var line in tracedAcks)
        {
            var ack = ChildEvents.ParseAck(line.Text);
            var write = log.Writes.LastOrDefault(w => w.BaseOffset == ack.First && w.Line < line.Line);
            Assert.True(write.Path is not null, $"No pwrite of the batch at {ack.First} precedes {ack}.");
            var failureLine = FirstFailureOf(write.Path);
            Assert.True(
                log.Syncs.Any(s => s.Path == write.Path && s.Result == 0 && s.Line > write.Line && s.Line < line.Line && s.Line < failureLine),
                $"{ack} was printed (trace line {line.Line}) without a successful fdatasync of {write.Path} after its write (line {write.Line}) " +
                $"and before the first failed fdatasync of that file (line {(failureLine == int.MaxValue ? "none" : failureLine)}).");
        }

        Assert.Contains(lines, l => l.StartsWith("DONE ", StringComparison.Ordinal));
        Assert.NotEmpty(failures);
        Assert.All(failures, f =>
        {
            Assert.Equal(nameof(LogStorageException), f.ExceptionType);
            Assert.True(f.FailStopped, $"The failure is not fail-stopped: {f}");
            Assert.Contains("fdatasync", f.Message, StringComparison.Ordinal);
            Assert.Contains("EIO", f.Message, StringComparison.Ordinal);
        });
        Assert.All(acks, a => Assert.Equal(Durability.Flushed, a.Durability));

        // The records are still in the page cache (the injected failure skipped the real call): reopening re-validates
        // them and every acknowledged record is there.
        new LogVerifier().Verify(directory, acks, Durability.Flushed, $"EIO from fdatasync call {failFrom}, directory {directory}");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"fdatasync failing from call {failFrom} per thread: {acks.Count} acks before the failure, {failures.Count} appends failed, " +
            $"{log.Syncs.Count(s => s.Result == 0)} successful and {log.Syncs.Count(s => s.Result != 0)} failed fdatasync calls traced.");
        Directory.Delete(directory, recursive: true);
        File.Delete(trace);
    }

    private static string? FindStrace()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, "strace");
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

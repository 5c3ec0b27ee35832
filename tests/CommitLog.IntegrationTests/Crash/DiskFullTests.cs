using System.Diagnostics;
using CommitLog.Storage;

namespace CommitLog.IntegrationTests.Crash;

/// <summary>
/// R6, ENOSPC on a real file system: a 2 MiB tmpfs filled by appends. The append that hits the full disk fails with a
/// retriable <see cref="LogStorageException"/> naming the problem, the log is not fail-stopped and stays readable, and
/// appends resume once space is freed (by deleting another file, then by the log's own retention).
/// </summary>
/// <remarks>Needs root (mount); skipped with a message otherwise.</remarks>
[Collection(nameof(RealProcessCollection))]
public sealed class DiskFullTests
{
    private const int Writer = 7;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FullDisk_AppendFailsRetriably_LogStaysReadable_AndAppendsResumeWhenSpaceIsFreed()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("The ENOSPC test mounts a tmpfs and runs on Linux only.");
        }

        var mount = Path.Combine(Path.GetTempPath(), $"commitlog-enospc-{Guid.NewGuid():N}");
        Directory.CreateDirectory(mount);
        var (code, error) = Run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount);
        if (code != 0)
        {
            Directory.Delete(mount);
            Assert.Skip($"Cannot mount a tmpfs here ({error.Trim()}); the ENOSPC test needs root.");
        }

        try
        {
            await FillAndRecoverAsync(mount);
        }
        finally
        {
            Run("umount", mount);
            Directory.Delete(mount, recursive: true);
        }
    }

    private static async Task FillAndRecoverAsync(string mount)
    {
        var ballast = Path.Combine(mount, "ballast");
        await File.WriteAllBytesAsync(ballast, new byte[384 * 1024], Ct);
        var reserve = Path.Combine(mount, "reserve");
        await File.WriteAllBytesAsync(reserve, new byte[16 * 1024], Ct);
        var directory = Path.Combine(mount, "log");
        var options = new LogOptions { SegmentBytes = 64 * 1024, RetentionMs = null, RetentionCheckInterval = null };
        var acks = new List<Ack>();
        var verifier = new LogVerifier();
        long seq = 0;
        var log = PartitionLog.Open(directory, options);
        try
        {
            var full = await AppendUntilFailureAsync(log, acks, () => seq, s => seq = s, limit: 100_000);
            Assert.NotNull(full);
            Assert.False(full.IsFailStopped, $"A full disk must not fail-stop the log: {full.Message}");
            Assert.True(full.IsRetriable);
            Assert.False(log.IsFailStopped, $"The log fail-stopped on a full disk: {full.Message}");
            Assert.Contains("disk is full", full.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("ENOSPC", full.Message, StringComparison.Ordinal);
            Assert.True(acks.Count > 100, $"Only {acks.Count} appends fitted before the disk was full.");

            // Still readable, nothing acknowledged is missing, and a retry while full fails the same way.
            verifier.VerifyOpen(log, acks, Durability.Written, "after ENOSPC");
            var endBefore = log.LogEndOffset;
            var retry = await Assert.ThrowsAsync<LogStorageException>(async () => await log.AppendAsync(CrashBatches.Make(Writer, seq, 4), Ct));
            Assert.False(retry.IsFailStopped, $"The retry on a full disk fail-stopped the log: {retry.Message}");
            Assert.Equal(endBefore, log.LogEndOffset);

            // Free space by deleting another file: appends resume.
            File.Delete(ballast);
            for (var i = 0; i < 50; i++)
            {
                var result = await log.AppendAsync(CrashBatches.Make(Writer, seq, 4), Ct);
                acks.Add(CrashBatches.ToAck(result, Writer, seq));
                seq += 4;
            }

            // Fill again, then free space through the log itself: DeleteRecordsBefore + retention delete old segments.
            // Retention first writes the checkpoint (a new page), so a few KiB are released first: on a disk with no
            // page left at all the log cannot free its own space (see the report).
            Assert.NotNull(await AppendUntilFailureAsync(log, acks, () => seq, s => seq = s, limit: 100_000));
            File.Delete(reserve);
            var segmentsBefore = log.SegmentCount;
            log.DeleteRecordsBefore(log.LogEndOffset / 2);
            Assert.True(log.SegmentCount < segmentsBefore, $"DeleteRecordsBefore deleted no segment ({segmentsBefore} before).");
            for (var i = 0; i < 400; i++) // about 300 KiB: far more than the reserve, so the space came from retention
            {
                var result = await log.AppendAsync(CrashBatches.Make(Writer, seq, 4), Ct);
                acks.Add(CrashBatches.ToAck(result, Writer, seq));
                seq += 4;
            }

            verifier.VerifyOpen(log, acks, Durability.Written, "after freeing space");
        }
        finally
        {
            await log.DisposeAsync();
        }

        verifier.Verify(directory, acks, Durability.Written, "after reopening");
    }

    private static async Task<LogStorageException?> AppendUntilFailureAsync(PartitionLog log, List<Ack> acks, Func<long> seq, Action<long> setSeq, int limit)
    {
        for (var i = 0; i < limit; i++)
        {
            try
            {
                var result = await log.AppendAsync(CrashBatches.Make(Writer, seq(), 4), Ct);
                acks.Add(CrashBatches.ToAck(result, Writer, seq()));
                setSeq(seq() + 4);
            }
            catch (LogStorageException e)
            {
                return e;
            }
        }

        return null;
    }

    private static (int ExitCode, string Error) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, error);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}

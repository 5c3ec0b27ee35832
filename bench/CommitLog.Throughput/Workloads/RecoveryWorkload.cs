using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using CommitLog.Storage;
using CommitLog.Throughput.Contenders;

namespace CommitLog.Throughput.Workloads;

/// <summary>
/// Reopen time after an unclean stop, against log size. A child process (this harness with a hidden command) writes
/// the log, flushes it (checkpointing the recovery point), writes an unflushed tail and is then killed; the parent
/// times <see cref="PartitionLog.Open"/>. Two cases per size: with the checkpoint (only the tail is re-validated)
/// and with the checkpoint deleted (every batch is re-validated: the worst case).
/// </summary>
internal static class RecoveryWorkload
{
    public const string WriterCommand = "recovery-writer";
    private const int RecordSize = 100;

    public static async Task RunAsync(HarnessOptions options, int rounds = 1)
    {
        Console.WriteLine();
        Console.WriteLine($"### recovery after a killed writer (100 B records, {options.TailMb} MiB unflushed tail, ours only)");
        Console.WriteLine("| log size | checkpoint | batches re-validated from | reopen ms (median) | range | records recovered |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var sizeMb in options.RecoverySizesMb)
        {
            foreach (var withCheckpoint in new[] { true, false })
            {
                var times = new List<double>();
                long recovered = 0, logBytes = 0;
                for (var round = 0; round < rounds; round++)
                {
                    (var ms, recovered, logBytes) = await RunOnceAsync(options, sizeMb, withCheckpoint).ConfigureAwait(false);
                    times.Add(ms);
                }

                times.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {logBytes / (1024.0 * 1024):F0} MiB | {(withCheckpoint ? "yes" : "deleted")} | {(withCheckpoint ? "recovery point" : "start of log")} " +
                    $"| {times[times.Count / 2]:F1} | {times[0]:F1}–{times[^1]:F1} | {recovered:N0} |"));
            }
        }
    }

    /// <summary>The child: writes, flushes, writes the tail, reports, then waits to be killed.</summary>
    public static async Task<int> RunWriterAsync(string[] args)
    {
        var directory = args[1];
        var megabytes = int.Parse(args[2], CultureInfo.InvariantCulture);
        var tailMegabytes = int.Parse(args[3], CultureInfo.InvariantCulture);
        var log = PartitionLog.Open(directory, new LogOptions { CheckpointInterval = TimeSpan.FromMilliseconds(1) });
        await WriteAsync(log, megabytes).ConfigureAwait(false);
        await log.FlushAsync().ConfigureAwait(false);
        await WriteAsync(log, tailMegabytes).ConfigureAwait(false);
        Console.WriteLine($"ready {log.LogEndOffset} {log.Size}");
        Console.Out.Flush();
        await Task.Delay(Timeout.Infinite).ConfigureAwait(false);
        return 0;
    }

    private static async Task<(double Ms, long Recovered, long LogBytes)> RunOnceAsync(HarnessOptions options, int sizeMb, bool withCheckpoint)
    {
        using var dir = new BenchDirectory(options.Root, "recovery");
        var logDirectory = Path.Combine(dir.Path, "log");
        var (endOffset, size) = await WriteAndKillAsync(logDirectory, sizeMb, options.TailMb).ConfigureAwait(false);
        if (!withCheckpoint)
        {
            File.Delete(Path.Combine(logDirectory, "partition.checkpoint"));
        }

        var started = Stopwatch.GetTimestamp();
        var log = PartitionLog.Open(logDirectory);
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var recovered = log.LogEndOffset;
        await log.DisposeAsync().ConfigureAwait(false);
        if (recovered != endOffset)
        {
            throw new InvalidOperationException($"Recovery kept {recovered} records but the killed writer had written {endOffset} (all in the page cache).");
        }

        return (ms, recovered, size);
    }

    private static async Task<(long EndOffset, long Size)> WriteAndKillAsync(string directory, int sizeMb, int tailMb)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var a in new[] { WriterCommand, directory, sizeMb.ToString(CultureInfo.InvariantCulture), tailMb.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(a);
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException("Could not start the writer process.");
        var line = await child.StandardOutput.ReadLineAsync().ConfigureAwait(false);
        child.Kill(entireProcessTree: true);
        await child.WaitForExitAsync().ConfigureAwait(false);
        var parts = line?.Split(' ');
        if (parts is not ["ready", var end, var size])
        {
            throw new InvalidOperationException($"The writer process failed (said '{line}', exit code {child.ExitCode}).");
        }

        return (long.Parse(end, CultureInfo.InvariantCulture), long.Parse(size, CultureInfo.InvariantCulture));
    }

    private static async Task WriteAsync(PartitionLog log, int megabytes)
    {
        var payload = Payload.Create(RecordSize);
        var perBatch = Payload.RecordsPerBatch(RecordSize, 64 * 1024);
        using var builder = new RecordBatchBuilder();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var records = megabytes * 1024L * 1024 / RecordSize;
        for (long written = 0; written < records; written += perBatch)
        {
            await log.AppendAsync(CommitLogContender.Encode(builder, payload, (int)Math.Min(perBatch, records - written), timestamp)).ConfigureAwait(false);
        }
    }
}

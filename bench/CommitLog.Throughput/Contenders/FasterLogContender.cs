using System.Diagnostics;
using CommitLog.Throughput.Reporting;
using CommitLog.Throughput.Workloads;
using FASTER.core;

namespace CommitLog.Throughput.Contenders;

/// <summary>
/// Microsoft.FASTER.Core's FasterLog with the settings of BENCH-NOTES.md: <c>Devices.CreateLogDevice(path,
/// deleteOnClose: true)</c>, 4 MiB pages, 64 MiB memory, 1 GiB segments, <c>FastCommitMode = true</c>, no per-entry
/// checksum. Append enqueues every record and commits once at the end (<c>Commit(spinWait: true)</c>); group commit
/// uses <c>EnqueueAndWaitForCommitAsync</c> with <c>AutoCommit = true</c>; scan uses <c>UnsafeGetNext</c> (zero copy);
/// the producer workload's reference enqueues for a fixed time and commits once (<see cref="EnqueueFor"/>).
/// </summary>
internal static class FasterLogContender
{
    public const string Name = "FasterLog";

    public static Sample Append(WorkloadSettings s)
    {
        using var dir = new BenchDirectory(s.Root, "fasterlog-append");
        var payload = Payload.Create(s.RecordSize);
        using var instance = new Instance(dir.Path, autoCommit: false);
        var log = instance.Log;
        var meter = Meter.Start();
        for (long i = 0; i < s.Records; i++)
        {
            log.Enqueue(payload.AsSpan());
        }

        log.Commit(spinWait: true);
        return meter.Stop($"append {s.RecordSize} B", Name, s.Records, s.Records * s.RecordSize);
    }

    /// <summary>
    /// The producer workload's reference: <c>Enqueue(span)</c> per record for <paramref name="warmUp"/> and a commit
    /// (not measured), then for <see cref="WorkloadSettings.Duration"/> and <c>Commit(spinWait: true)</c>, timed
    /// together and reported under <paramref name="workload"/>.
    /// </summary>
    public static Sample EnqueueFor(WorkloadSettings s, string workload, TimeSpan warmUp)
    {
        using var dir = new BenchDirectory(s.Root, "fasterlog-enqueue");
        var payload = Payload.Create(s.RecordSize);
        using var instance = new Instance(dir.Path, autoCommit: false);
        var log = instance.Log;
        EnqueueUntil(log, payload, Stopwatch.GetTimestamp() + (long)(warmUp.TotalSeconds * Stopwatch.Frequency));
        log.Commit(spinWait: true);
        var deadline = Stopwatch.GetTimestamp() + (long)(s.Duration.TotalSeconds * Stopwatch.Frequency);
        var meter = Meter.Start();
        var records = EnqueueUntil(log, payload, deadline);
        log.Commit(spinWait: true);
        return meter.Stop(workload, Name, records, records * s.RecordSize);
    }

    public static async Task<Sample> GroupCommitAsync(WorkloadSettings s)
    {
        using var dir = new BenchDirectory(s.Root, "fasterlog-gc");
        var payload = Payload.Create(s.RecordSize);
        using var instance = new Instance(dir.Path, autoCommit: true);
        var log = instance.Log;
        return await GroupCommitDriver.RunAsync(Name, s, _ => async () =>
        {
            await log.EnqueueAndWaitForCommitAsync((ReadOnlyMemory<byte>)payload).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    public static IScanTarget PrepareScan(WorkloadSettings s)
    {
        var dir = new BenchDirectory(s.Root, "fasterlog-scan");
        var payload = Payload.Create(s.RecordSize);
        var instance = new Instance(dir.Path, autoCommit: false);
        for (long i = 0; i < s.Records; i++)
        {
            instance.Log.Enqueue(payload.AsSpan());
        }

        instance.Log.Commit(spinWait: true);
        return new ScanTarget(dir, instance, s.RecordSize);
    }

    private static long EnqueueUntil(FasterLog log, byte[] payload, long deadline)
    {
        long records = 0;
        do
        {
            for (var i = 0; i < 256; i++)
            {
                log.Enqueue(payload.AsSpan());
            }

            records += 256;
        }
        while (Stopwatch.GetTimestamp() < deadline);

        return records;
    }

    /// <summary>One FasterLog with its device and settings, disposed together.</summary>
    private sealed class Instance : IDisposable
    {
        private readonly IDevice _device;
        private readonly FasterLogSettings _settings;

        public Instance(string directory, bool autoCommit)
        {
            _device = Devices.CreateLogDevice(Path.Combine(directory, "hlog.log"), deleteOnClose: true);
            _settings = new FasterLogSettings
            {
                LogDevice = _device,
                LogCommitDir = directory,
                PageSize = 4L << 20,
                MemorySize = 64L << 20,
                SegmentSize = 1L << 30,
                FastCommitMode = true,
                LogChecksum = LogChecksumType.None,
                AutoCommit = autoCommit,
            };
            Log = new FasterLog(_settings);
        }

        public FasterLog Log { get; }

        public void Dispose()
        {
            Log.Dispose();
            _device.Dispose();
            _settings.Dispose();
        }
    }

    private sealed class ScanTarget(BenchDirectory dir, Instance instance, int recordSize) : IScanTarget
    {
        public IReadOnlyList<string> Variants { get; } = [Name];

        public unsafe Sample Scan(string variant)
        {
            var log = instance.Log;
            long records = 0, bytes = 0;
            var meter = Meter.Start();
            using (var iterator = log.Scan(log.BeginAddress, log.TailAddress))
            {
                while (iterator.UnsafeGetNext(out byte* entry, out var length, out _, out _))
                {
                    bytes += length;
                    records++;
                    iterator.UnsafeRelease();
                }
            }

            var sample = meter.Stop($"scan {recordSize} B", variant, records, bytes);
            return sample;
        }

        public ValueTask DisposeAsync()
        {
            instance.Dispose();
            dir.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

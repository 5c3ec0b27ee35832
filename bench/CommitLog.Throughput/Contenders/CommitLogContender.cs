using CommitLog.Storage;
using CommitLog.Throughput.Reporting;
using CommitLog.Throughput.Workloads;

namespace CommitLog.Throughput.Contenders;

/// <summary>
/// Our log: <see cref="PartitionLog"/> on real files with default settings except the flush policy under test.
/// Append encodes each batch with a reused <see cref="RecordBatchBuilder"/> (the producer's work) and appends it at
/// the written level; one flush at the end, as the other contenders do.
/// </summary>
internal static class CommitLogContender
{
    public const string Name = "CommitLog";
    public const string PreEncodedName = "CommitLog (pre-encoded)";

    public static async Task<Sample> AppendAsync(WorkloadSettings s, bool preEncoded)
    {
        using var dir = new BenchDirectory(s.Root, "commitlog-append");
        var payload = Payload.Create(s.RecordSize);
        var perBatch = Payload.RecordsPerBatch(s.RecordSize, s.BatchBytes);
        using var builder = new RecordBatchBuilder();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var prebuilt = preEncoded ? Encode(builder, payload, perBatch, timestamp).ToArray() : null;
        await using var log = PartitionLog.Open(dir.Path);
        long written = 0;
        var meter = Meter.Start();
        while (written < s.Records)
        {
            var count = (int)Math.Min(perBatch, s.Records - written);
            var batch = prebuilt is not null && count == perBatch ? prebuilt : Encode(builder, payload, count, timestamp);
            await log.AppendAsync(batch).ConfigureAwait(false);
            written += count;
        }

        await log.FlushAsync().ConfigureAwait(false);
        return meter.Stop($"append {s.RecordSize} B", preEncoded ? PreEncodedName : Name, written, written * s.RecordSize);
    }

    public static async Task<Sample> GroupCommitAsync(WorkloadSettings s)
    {
        using var dir = new BenchDirectory(s.Root, "commitlog-gc");
        var payload = Payload.Create(s.RecordSize);
        var builders = new List<RecordBatchBuilder>();
        await using var log = PartitionLog.Open(dir.Path, new LogOptions { FlushPolicy = FlushPolicy.BeforeAck });
        using var flushes = new FlushCounter();
        try
        {
            var sample = await GroupCommitDriver.RunAsync(Name, s, _ =>
            {
                var builder = new RecordBatchBuilder();
                builders.Add(builder);
                return async () =>
                {
                    var batch = Encode(builder, payload, 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                    await log.AppendAsync(batch).ConfigureAwait(false);
                };
            }).ConfigureAwait(false);
            (sample.Flushes, sample.FlushSeconds) = flushes.Read();
            return sample;
        }
        finally
        {
            builders.ForEach(b => b.Dispose());
        }
    }

    public static async Task<IScanTarget> PrepareScanAsync(WorkloadSettings s)
    {
        var dir = new BenchDirectory(s.Root, "commitlog-scan");
        var payload = Payload.Create(s.RecordSize);
        var perBatch = Payload.RecordsPerBatch(s.RecordSize, s.BatchBytes);
        using var builder = new RecordBatchBuilder();
        var log = PartitionLog.Open(dir.Path);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (long written = 0; written < s.Records; written += perBatch)
        {
            await log.AppendAsync(Encode(builder, payload, (int)Math.Min(perBatch, s.Records - written), timestamp)).ConfigureAwait(false);
        }

        await log.FlushAsync().ConfigureAwait(false);
        return new CommitLogScanTarget(dir, log, s.RecordSize);
    }

    internal static Memory<byte> Encode(RecordBatchBuilder builder, byte[] payload, int records, long timestamp)
    {
        builder.Reset();
        for (var i = 0; i < records; i++)
        {
            builder.Append(timestamp, null, payload);
        }

        return builder.Build();
    }
}

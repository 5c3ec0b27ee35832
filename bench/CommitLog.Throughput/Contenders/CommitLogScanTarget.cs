using CommitLog.Storage;
using CommitLog.Throughput.Reporting;
using CommitLog.Throughput.Workloads;

namespace CommitLog.Throughput.Contenders;

/// <summary>
/// Scans our log with <see cref="PartitionLog.Read(long, int)"/> in 1 MiB chunks (every batch CRC-verified by the log), either
/// counting records from the batch headers or also walking every record (varint decode, key and value views).
/// </summary>
internal sealed class CommitLogScanTarget(BenchDirectory dir, PartitionLog log, int recordSize) : IScanTarget
{
    private const int ChunkBytes = 1 << 20;
    private const string Batches = CommitLogContender.Name + " (batches)";
    private const string Records = CommitLogContender.Name + " (records)";

    public IReadOnlyList<string> Variants { get; } = [Batches, Records];

    public Sample Scan(string variant)
    {
        var walkRecords = variant == Records;
        long records = 0, payloadBytes = 0;
        var offset = log.LogStartOffset;
        var end = log.LogEndOffset;
        var meter = Meter.Start();
        while (offset < end)
        {
            using var result = log.Read(offset, ChunkBytes);
            foreach (var batch in RecordBatch.ReadAll(result.Records))
            {
                if (walkRecords)
                {
                    foreach (var record in batch.GetRecords())
                    {
                        payloadBytes += record.Value.GetValueOrDefault().Length;
                        records++;
                    }
                }
                else
                {
                    records += batch.Header.RecordsCount;
                }
            }

            offset = result.NextOffset;
        }

        var sample = meter.Stop($"scan {recordSize} B", variant, records, records * recordSize);
        if (walkRecords && payloadBytes != records * recordSize)
        {
            throw new InvalidOperationException($"Scan read {payloadBytes} payload bytes, expected {records * recordSize}.");
        }

        return sample;
    }

    public async ValueTask DisposeAsync()
    {
        await log.DisposeAsync().ConfigureAwait(false);
        dir.Dispose();
    }
}

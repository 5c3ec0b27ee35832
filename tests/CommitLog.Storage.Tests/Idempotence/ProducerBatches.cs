using System.Buffers.Binary;
using CommitLog.TestKit;
using Microsoft.Extensions.Time.Testing;

namespace CommitLog.Storage.Tests.Idempotence;

/// <summary>Builds idempotent batches whose record values carry (producer id, epoch, sequence), and reads them back.</summary>
internal static class ProducerBatches
{
    public static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static long StartMs => Start.ToUnixTimeMilliseconds();

    public static LogOptions Options(SimulatedStorage storage, TimeProvider time, int segmentBytes = 4096, FlushPolicy? flush = null)
        => new()
        {
            Storage = storage, TimeProvider = time, SegmentBytes = segmentBytes, RetentionMs = null, RetentionCheckInterval = null,
            FlushPolicy = flush ?? FlushPolicy.Os,
        };

    public static FakeTimeProvider Clock() => new(Start);

    public static byte[] Make(long producerId, short epoch, int baseSequence, int records = 3, long timestamp = -1)
    {
        using var builder = new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = epoch, BaseSequence = baseSequence };
        for (var i = 0; i < records; i++)
        {
            var sequence = baseSequence < 0 ? -1 : (int)((baseSequence + (long)i) % (int.MaxValue + 1L));
            builder.Append(timestamp < 0 ? StartMs : timestamp, null, Value(producerId, epoch, sequence));
        }

        return builder.ToArray();
    }

    public static byte[] Concat(params byte[][] batches) => [.. batches.SelectMany(b => b)];

    /// <summary>Every record from the log start: (offset, producer id, epoch, sequence) taken from the record values.</summary>
    public static List<(long Offset, long ProducerId, short Epoch, int Sequence)> ReadAll(PartitionLog log)
    {
        var result = new List<(long, long, short, int)>();
        var offset = log.LogStartOffset;
        while (offset < log.HighWatermark)
        {
            using var read = log.Read(offset, 1 << 20);
            if (read.IsEmpty)
            {
                break;
            }

            foreach (var batch in RecordBatch.ReadAll(read.Records))
            {
                foreach (var record in batch.GetRecords())
                {
                    if (record.Offset >= offset)
                    {
                        var value = record.Value!.Value.Span;
                        result.Add((record.Offset, BinaryPrimitives.ReadInt64BigEndian(value), BinaryPrimitives.ReadInt16BigEndian(value[8..]),
                            BinaryPrimitives.ReadInt32BigEndian(value[10..])));
                    }
                }
            }

            offset = read.NextOffset;
        }

        return result;
    }

    private static byte[] Value(long producerId, short epoch, int sequence)
    {
        var value = new byte[14];
        BinaryPrimitives.WriteInt64BigEndian(value, producerId);
        BinaryPrimitives.WriteInt16BigEndian(value.AsSpan(8), epoch);
        BinaryPrimitives.WriteInt32BigEndian(value.AsSpan(10), sequence);
        return value;
    }
}

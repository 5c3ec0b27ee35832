using CommitLog.Storage.IO;
using CommitLog.Storage.Tests.Idempotence;
using Microsoft.Extensions.Time.Testing;

namespace CommitLog.Storage.Tests.Log;

/// <summary>Leader-style batches (base offset and partition leader epoch set, CRC untouched) and replica logs on a simulated disk.</summary>
internal static class ReplicaLogs
{
    public const string Directory = "/data/replica-0";

    public static FakeTimeProvider Clock() => new(ProducerBatches.Start);

    public static LogOptions Options(ISegmentStorage storage, TimeProvider time, bool replicated = true, FlushPolicy? flush = null, int segmentBytes = 4096)
        => new()
        {
            Storage = storage, TimeProvider = time, SegmentBytes = segmentBytes, RetentionMs = null, RetentionCheckInterval = null,
            FlushPolicy = flush ?? FlushPolicy.Os, ReplicatedHighWatermark = replicated,
        };

    /// <summary>A batch as a leader stores it: <paramref name="records"/> records from <paramref name="baseOffset"/>, in leader epoch <paramref name="epoch"/>.</summary>
    public static byte[] Batch(long baseOffset, int epoch, int records = 2, long firstSeq = -1)
        => Stamp(TestBatches.Make(records, firstSeq < 0 ? baseOffset : firstSeq), baseOffset, epoch);

    /// <summary>An idempotent producer batch as a leader stores it.</summary>
    public static byte[] ProducerBatch(long baseOffset, int epoch, long producerId, short producerEpoch, int sequence, int records = 3)
        => Stamp(ProducerBatches.Make(producerId, producerEpoch, sequence, records), baseOffset, epoch);

    /// <summary>Sets the base offset and partition leader epoch, which lie outside the CRC.</summary>
    public static byte[] Stamp(byte[] batch, long baseOffset, int epoch)
    {
        RecordBatchHeader.WriteBaseOffset(batch, baseOffset);
        RecordBatchHeader.WritePartitionLeaderEpoch(batch, epoch);
        return batch;
    }

    /// <summary>Consecutive leader batches from <paramref name="start"/>, one per epoch in <paramref name="epochs"/>.</summary>
    public static byte[] Run(long start, int records, params int[] epochs)
    {
        var batches = new List<byte[]>();
        foreach (var epoch in epochs)
        {
            batches.Add(Batch(start, epoch, records));
            start += records;
        }

        return ProducerBatches.Concat([.. batches]);
    }

    /// <summary>Every stored byte from the log start up to <paramref name="limit"/>.</summary>
    public static byte[] ReadBytes(PartitionLog log, ReadLimit limit = ReadLimit.LogEnd)
    {
        var bytes = new List<byte>();
        var offset = log.LogStartOffset;
        while (true)
        {
            using var read = log.Read(offset, 1 << 20, limit);
            if (read.IsEmpty)
            {
                return [.. bytes];
            }

            bytes.AddRange(read.Records.ToArray());
            offset = read.NextOffset;
        }
    }

    /// <summary>Every batch's (base offset, last offset, leader epoch) up to <paramref name="limit"/>.</summary>
    public static List<(long Base, long Last, int Epoch)> Batches(PartitionLog log, ReadLimit limit = ReadLimit.LogEnd)
    {
        var result = new List<(long, long, int)>();
        foreach (var batch in RecordBatch.ReadAll(ReadBytes(log, limit)))
        {
            result.Add((batch.Header.BaseOffset, batch.Header.LastOffset, batch.Header.PartitionLeaderEpoch));
        }

        return result;
    }
}

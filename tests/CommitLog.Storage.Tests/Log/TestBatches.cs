using System.Text;

namespace CommitLog.Storage.Tests.Log;

/// <summary>Builds producer-style batches (base offset 0) whose values encode a sequence number for checking.</summary>
internal static class TestBatches
{
    public static byte[] Make(int records, long firstSeq = 0, int valueSize = 16, long timestamp = 1_700_000_000_000, CompressionType compression = CompressionType.None)
    {
        using var builder = new RecordBatchBuilder(compression);
        for (var i = 0; i < records; i++)
        {
            builder.Append(timestamp + i, Encoding.UTF8.GetBytes($"k{firstSeq + i}"), Value(firstSeq + i, valueSize));
        }

        return builder.ToArray();
    }

    public static byte[] Value(long seq, int size)
    {
        var value = new byte[Math.Max(size, 8)];
        BitConverter.TryWriteBytes(value, seq);
        for (var i = 8; i < value.Length; i++)
        {
            value[i] = (byte)(seq * 31 + i);
        }

        return value;
    }

    /// <summary>Reads every record from <paramref name="from"/> to the end and returns (offset, seq) pairs.</summary>
    public static List<(long Offset, long Seq)> ReadAll(PartitionLog log, long from = -1)
    {
        var result = new List<(long, long)>();
        var offset = from < 0 ? log.LogStartOffset : from;
        while (offset < log.HighWatermark)
        {
            using var read = log.Read(offset, 64 * 1024);
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
                        result.Add((record.Offset, BitConverter.ToInt64(record.Value!.Value.Span)));
                    }
                }
            }

            offset = read.NextOffset;
        }

        return result;
    }
}

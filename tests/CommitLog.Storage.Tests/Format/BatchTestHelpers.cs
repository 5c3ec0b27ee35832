namespace CommitLog.Storage.Tests.Format;

internal static class BatchTestHelpers
{
    public static byte[] Encode(TestBatch batch, CompressionType compression, long baseOffset = 0)
    {
        using var builder = new RecordBatchBuilder(compression)
        {
            BaseOffset = baseOffset,
            ProducerId = batch.ProducerId,
            ProducerEpoch = batch.ProducerEpoch,
            BaseSequence = batch.BaseSequence,
            IsTransactional = batch.Transactional,
        };
        foreach (TestRecord r in batch.Records)
        {
            RecordHeader[] headers = [.. r.Headers.Select(h => new RecordHeader(h.Key, h.Value))];
            builder.Append(r.Timestamp, r.Key, r.Value, headers);
        }

        return builder.ToArray();
    }

    public static byte[] SimpleBatch(CompressionType compression = CompressionType.None, int records = 3)
    {
        using var builder = new RecordBatchBuilder(compression);
        for (int i = 0; i < records; i++)
        {
            builder.Append(1_700_000_000_000 + i, i % 2 == 0 ? null : new byte[] { (byte)i }, new byte[] { 1, 2, 3, (byte)i },
                [new RecordHeader("trace", new byte[] { 9, (byte)i })]);
        }

        return builder.ToArray();
    }

    public static bool SameBytes(ReadOnlyMemory<byte>? actual, byte[]? expected)
        => expected is null ? actual is null : actual is not null && actual.Value.Span.SequenceEqual(expected);

    /// <summary>Compares decoded records with the input, field by field; returns a description of the first difference.</summary>
    public static string? Difference(TestBatch expected, RecordBatch actual, long baseOffset)
    {
        RecordBatchHeader h = actual.Header;
        TestRecord[] input = expected.Records;
        if (h.RecordsCount != input.Length || h.LastOffsetDelta != input.Length - 1)
        {
            return $"counts {h.RecordsCount}/{h.LastOffsetDelta}";
        }

        if (h.BaseTimestamp != input[0].Timestamp || h.MaxTimestamp != input.Max(r => r.Timestamp))
        {
            return "timestamps in header";
        }

        if (h.ProducerId != expected.ProducerId || h.ProducerEpoch != expected.ProducerEpoch
            || h.BaseSequence != expected.BaseSequence || h.IsTransactional != expected.Transactional)
        {
            return "producer fields";
        }

        List<Record> records = actual.ToList();
        if (records.Count != input.Length)
        {
            return $"decoded {records.Count} records";
        }

        for (int i = 0; i < input.Length; i++)
        {
            Record r = records[i];
            TestRecord e = input[i];
            if (r.Offset != baseOffset + i || r.Timestamp != e.Timestamp || !SameBytes(r.Key, e.Key) || !SameBytes(r.Value, e.Value))
            {
                return $"record {i}";
            }

            if (r.Headers.Count != e.Headers.Length)
            {
                return $"record {i} header count";
            }

            for (int j = 0; j < e.Headers.Length; j++)
            {
                if (r.Headers[j].Key != e.Headers[j].Key || !SameBytes(r.Headers[j].Value, e.Headers[j].Value))
                {
                    return $"record {i} header {j}";
                }
            }
        }

        return null;
    }
}

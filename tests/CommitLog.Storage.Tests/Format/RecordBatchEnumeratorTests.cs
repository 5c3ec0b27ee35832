using System.Buffers.Binary;

namespace CommitLog.Storage.Tests.Format;

public class RecordBatchEnumeratorTests
{
    [Fact]
    public void ReadAll_ConcatenatedBatchesAndPartialTail_YieldsWholeBatchesOnly()
    {
        byte[] a = BatchTestHelpers.SimpleBatch(records: 1);
        byte[] b = BatchTestHelpers.SimpleBatch(CompressionType.Gzip, records: 2);
        byte[] c = BatchTestHelpers.SimpleBatch(CompressionType.Lz4, records: 3);
        RecordBatchHeader.WriteBaseOffset(b, 1);
        RecordBatchHeader.WriteBaseOffset(c, 3);
        byte[] buffer = [.. a, .. b, .. c, .. c.AsSpan(0, 30)];

        var counts = new List<int>();
        RecordBatchEnumerator all = RecordBatch.ReadAll(buffer);
        while (all.MoveNext())
        {
            Assert.True(all.Current.IsCrcValid);
            counts.Add(all.Current.ToList().Count);
        }

        Assert.Equal([1, 2, 3], counts);
        Assert.Equal(a.Length + b.Length + c.Length, all.BytesConsumed);
        Assert.True(all.HasIncompleteTail);
    }

    [Fact]
    public void ReadAll_Foreach_EnumeratesOffsetsAcrossBatches()
    {
        byte[] a = BatchTestHelpers.SimpleBatch(records: 2);
        byte[] b = BatchTestHelpers.SimpleBatch(records: 2);
        RecordBatchHeader.WriteBaseOffset(b, 2);

        var offsets = new List<long>();
        foreach (RecordBatch batch in RecordBatch.ReadAll((byte[])[.. a, .. b]))
        {
            foreach (Record record in batch.GetRecords())
            {
                offsets.Add(record.Offset);
            }
        }

        Assert.Equal([0L, 1L, 2L, 3L], offsets);
    }

    [Fact]
    public void ReadAll_Empty_YieldsNothing()
    {
        RecordBatchEnumerator all = RecordBatch.ReadAll(ReadOnlyMemory<byte>.Empty);
        Assert.False(all.MoveNext());
        Assert.False(all.HasIncompleteTail);
    }

    [Fact]
    public void ReadAll_BatchLengthBelowHeader_ThrowsCorruptRecord()
    {
        byte[] batch = BatchTestHelpers.SimpleBatch();
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.BatchLengthOffset), 10);

        Assert.Throws<CorruptRecordException>(() => RecordBatch.ReadAll(batch).MoveNext());
    }

    [Fact]
    public void ReadAll_WrongMagic_ThrowsCorruptRecord()
    {
        byte[] batch = BatchTestHelpers.SimpleBatch();
        batch[RecordBatchHeader.MagicOffset] = 1;

        var e = Assert.Throws<CorruptRecordException>(() => RecordBatch.ReadAll(batch).MoveNext());
        Assert.Contains("magic 1", e.Message, StringComparison.Ordinal);
    }
}

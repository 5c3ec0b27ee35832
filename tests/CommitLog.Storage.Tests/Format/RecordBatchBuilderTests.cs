namespace CommitLog.Storage.Tests.Format;

public class RecordBatchBuilderTests
{
    [Fact]
    public void Append_SteadyStateUncompressed_AllocatesNothing()
    {
        using var builder = new RecordBatchBuilder();
        ReadOnlyMemory<byte>? key = new byte[16];
        ReadOnlyMemory<byte>? value = new byte[100];
        RecordHeader[] headers = [new("trace-id", new byte[8]), new("null", (byte[]?)null)];
        var output = new System.Buffers.ArrayBufferWriter<byte>(1 << 20);

        void OneBatch()
        {
            builder.Reset();
            for (int i = 0; i < 500; i++)
            {
                builder.Append(1_700_000_000_000 + i, key, value, headers);
            }

            output.ResetWrittenCount();
            builder.WriteTo(output);
        }

        OneBatch(); // warm up: buffers grow to their working size
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int batch = 0; batch < 10; batch++)
        {
            OneBatch();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Reset_ThenAppend_BuildsFreshBatchWithSameSettings()
    {
        using var builder = new RecordBatchBuilder(CompressionType.Gzip) { ProducerId = 9, ProducerEpoch = 2, BaseSequence = 100 };
        builder.Append(10, new byte[] { 1 }, new byte[] { 2 });
        builder.Append(11, new byte[] { 1 }, new byte[] { 2 });
        _ = builder.Build();
        builder.Reset();
        builder.Append(500, null, new byte[] { 3 });

        var batch = new RecordBatch(builder.ToArray());
        batch.Validate();
        Assert.Equal((1, 0, 500L, 500L, 9L, (short)2, 100, CompressionType.Gzip),
            (batch.Header.RecordsCount, batch.Header.LastOffsetDelta, batch.Header.BaseTimestamp, batch.Header.MaxTimestamp,
             batch.Header.ProducerId, batch.Header.ProducerEpoch, batch.Header.BaseSequence, batch.Header.Compression));
        Assert.Equal(new byte[] { 3 }, Assert.Single(batch.ToList()).Value!.Value.ToArray());
    }

    [Fact]
    public void Build_NoRecords_Throws()
    {
        using var builder = new RecordBatchBuilder();
        Assert.Throws<InvalidOperationException>(() => builder.Build());
    }

    [Fact]
    public void Append_TimestampsOutOfOrder_BaseIsFirstAndMaxIsLargest()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(1000, null, null);
        builder.Append(400, null, null);
        builder.Append(2500, null, null);
        builder.Append(-7, null, null);

        var batch = new RecordBatch(builder.ToArray());
        Assert.Equal((1000L, 2500L), (batch.Header.BaseTimestamp, batch.Header.MaxTimestamp));
        Assert.Equal([1000L, 400L, 2500L, -7L], batch.ToList().Select(r => r.Timestamp));
    }

    [Fact]
    public void BaseTimestamp_SetExplicitly_RecordsStoreDeltasFromIt()
    {
        using var builder = new RecordBatchBuilder { BaseTimestamp = 100 };
        builder.Append(150, null, null);

        var batch = new RecordBatch(builder.ToArray());
        Assert.Equal(100, batch.Header.BaseTimestamp);
        Assert.Equal(150, Assert.Single(batch.ToList()).Timestamp);
        Assert.Throws<InvalidOperationException>(() => builder.BaseTimestamp = 5);
    }

    [Fact]
    public void AppendWithOffset_Gaps_KeepOffsetsAndLastOffsetDelta()
    {
        using var builder = new RecordBatchBuilder { BaseOffset = 1000 };
        builder.AppendWithOffset(1000, 1, null, new byte[] { 1 });
        builder.AppendWithOffset(1003, 2, null, new byte[] { 2 });
        builder.AppendWithOffset(1010, 3, null, new byte[] { 3 });
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AppendWithOffset(1010, 4, null, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AppendWithOffset(999, 4, null, null));

        var batch = new RecordBatch(builder.ToArray());
        batch.Validate();
        Assert.Equal((3, 10), (batch.Header.RecordsCount, batch.Header.LastOffsetDelta));
        Assert.Equal([1000L, 1003L, 1010L], batch.ToList().Select(r => r.Offset));
    }

    [Fact]
    public void SetLogAppendTime_SetsFlagAndMaxTimestamp_RecordsReportAppendTime()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(10, null, null);
        builder.Append(20, null, null);
        builder.SetLogAppendTime(99_999);

        var batch = new RecordBatch(builder.ToArray());
        batch.Validate();
        Assert.Equal((TimestampType.LogAppendTime, 99_999L, 10L), (batch.Header.TimestampType, batch.Header.MaxTimestamp, batch.Header.BaseTimestamp));
        Assert.All(batch.ToList(), r => Assert.Equal(99_999, r.Timestamp));
    }

    [Fact]
    public void WriteLogAppendTime_OnEncodedBatch_KeepsCrcValid()
    {
        byte[] bytes = BatchTestHelpers.SimpleBatch(CompressionType.Lz4);
        RecordBatchHeader.WriteLogAppendTime(bytes, 123_456);

        var batch = new RecordBatch(bytes);
        batch.Validate();
        Assert.Equal((TimestampType.LogAppendTime, 123_456L), (batch.Header.TimestampType, batch.Header.MaxTimestamp));
        Assert.All(batch.ToList(), r => Assert.Equal(123_456, r.Timestamp));
    }

    [Fact]
    public void Flags_TransactionalAndControl_AreWrittenToAttributes()
    {
        using var builder = new RecordBatchBuilder { IsTransactional = true, IsControl = true, PartitionLeaderEpoch = 5 };
        builder.Append(0, new byte[] { 0, 0, 0, 1 }, new byte[] { 0, 0, 0, 0, 0, 0 }); // COMMIT marker key: version 0, type 1

        RecordBatchHeader header = new RecordBatch(builder.ToArray()).Header;
        Assert.Equal((true, true, (short)0x30, 5), (header.IsTransactional, header.IsControl, header.Attributes, header.PartitionLeaderEpoch));
    }

    [Fact]
    public void Append_NullHeaderKey_ThrowsArgumentException()
    {
        using var builder = new RecordBatchBuilder();
        Assert.Throws<ArgumentException>(() => builder.Append(0, null, null, [default]));
        Assert.Equal(0, builder.Count);
    }

    [Fact]
    public void RecordHeader_NullArray_IsNullValueNotEmpty()
    {
        Assert.Null(new RecordHeader("k", (byte[]?)null).Value);
        Assert.Equal(0, new RecordHeader("k", Array.Empty<byte>()).Value!.Value.Length);
    }

    [Fact]
    public void Dispose_ThenUse_ThrowsObjectDisposed()
    {
        var builder = new RecordBatchBuilder();
        builder.Dispose();
        Assert.Throws<ObjectDisposedException>(() => builder.Append(0, null, null));
    }
}

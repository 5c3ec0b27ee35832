namespace CommitLog.Storage.Tests.Format;

/// <summary>
/// A batch written out by hand from the RecordBatch v2 specification (docs/format.md), independent of the encoder:
/// record 0 has a null key, an empty value and one header ("h" = "v"); record 1 comes 5 ms later with key "k" and a
/// null value. The CRC was computed separately with a bit-by-bit CRC-32C.
/// </summary>
public class GoldenBatchTests
{
    private const long Timestamp = 1_700_000_000_000; // 0x0000018BCFE56800

    private static readonly byte[] Golden =
    [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // baseOffset 0
        0x00, 0x00, 0x00, 0x44,                         // batchLength 68 = 80 - 12
        0xFF, 0xFF, 0xFF, 0xFF,                         // partitionLeaderEpoch -1
        0x02,                                           // magic 2
        0x66, 0xCD, 0xBA, 0x51,                         // crc (CRC-32C of bytes 21..79)
        0x00, 0x00,                                     // attributes: no compression, CreateTime
        0x00, 0x00, 0x00, 0x01,                         // lastOffsetDelta 1
        0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x00, // baseTimestamp
        0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x05, // maxTimestamp = base + 5
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // producerId -1
        0xFF, 0xFF,                                     // producerEpoch -1
        0xFF, 0xFF, 0xFF, 0xFF,                         // baseSequence -1
        0x00, 0x00, 0x00, 0x02,                         // recordsCount 2
        // record 0
        0x14,       // length 10 (zigzag)
        0x00,       // attributes
        0x00,       // timestampDelta 0
        0x00,       // offsetDelta 0
        0x01,       // keyLength -1: null key
        0x00,       // valueLength 0: empty value
        0x02,       // headerCount 1
        0x02, 0x68, // header key length 1, "h"
        0x02, 0x76, // header value length 1, "v"
        // record 1
        0x0E,       // length 7
        0x00,       // attributes
        0x0A,       // timestampDelta 5
        0x02,       // offsetDelta 1
        0x02, 0x6B, // keyLength 1, "k"
        0x01,       // valueLength -1: null value
        0x00,       // headerCount 0
    ];

    [Fact]
    public void Build_NullKeyEmptyValueAndHeader_MatchesHandWrittenBytes()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(Timestamp, key: null, value: ReadOnlyMemory<byte>.Empty, [new RecordHeader("h", "v"u8.ToArray())]);
        builder.Append(Timestamp + 5, "k"u8.ToArray(), value: null);

        byte[] actual = builder.ToArray();
        Assert.True(Golden.AsSpan().SequenceEqual(actual), Convert.ToHexString(Golden) + "\n" + Convert.ToHexString(actual));
    }

    [Fact]
    public void Read_HandWrittenBytes_DecodesEveryField()
    {
        var batch = new RecordBatch(Golden);

        Assert.True(batch.IsCrcValid);
        batch.Validate();
        RecordBatchHeader h = batch.Header;
        Assert.Equal((0L, 68, -1, (byte)2, 0x66CDBA51u, (short)0), (h.BaseOffset, h.BatchLength, h.PartitionLeaderEpoch, h.Magic, h.Crc, h.Attributes));
        Assert.Equal((1, Timestamp, Timestamp + 5, -1L, (short)-1, -1, 2),
            (h.LastOffsetDelta, h.BaseTimestamp, h.MaxTimestamp, h.ProducerId, h.ProducerEpoch, h.BaseSequence, h.RecordsCount));

        List<Record> records = batch.ToList();
        Assert.Equal(2, records.Count);

        Assert.Equal(0, records[0].Offset);
        Assert.Equal(Timestamp, records[0].Timestamp);
        Assert.Null(records[0].Key);
        Assert.NotNull(records[0].Value);
        Assert.Equal(0, records[0].Value!.Value.Length);
        RecordHeader header = Assert.Single(records[0].Headers);
        Assert.Equal("h", header.Key);
        Assert.Equal("v"u8.ToArray(), header.Value!.Value.ToArray());

        Assert.Equal(1, records[1].Offset);
        Assert.Equal(Timestamp + 5, records[1].Timestamp);
        Assert.Equal("k"u8.ToArray(), records[1].Key!.Value.ToArray());
        Assert.Null(records[1].Value);
        Assert.Empty(records[1].Headers);
    }

    [Fact]
    public void Stamp_BaseOffsetAndLeaderEpoch_KeepsCrcValid()
    {
        byte[] copy = (byte[])Golden.Clone();
        RecordBatchHeader.WriteBaseOffset(copy, 1234);
        RecordBatchHeader.WritePartitionLeaderEpoch(copy, 7);

        var batch = new RecordBatch(copy);
        Assert.True(batch.IsCrcValid);
        Assert.Equal((1234L, 7), (batch.Header.BaseOffset, batch.Header.PartitionLeaderEpoch));
        Assert.Equal([1234L, 1235L], batch.ToList().Select(r => r.Offset));
    }
}

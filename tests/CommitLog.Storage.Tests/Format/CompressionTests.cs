using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace CommitLog.Storage.Tests.Format;

public class CompressionTests
{
    [Fact]
    public void Lz4Batch_FrameHeader_IsIndependentBlocksWithoutChecksumsFlg0x60()
    {
        byte[] batch = BatchTestHelpers.SimpleBatch(CompressionType.Lz4);
        ReadOnlySpan<byte> frame = batch.AsSpan(RecordBatchHeader.Size);

        Assert.Equal(0x184D2204u, BinaryPrimitives.ReadUInt32LittleEndian(frame)); // LZ4 frame magic
        Assert.Equal(0x60, frame[4]);  // FLG: version 01, block independence, no block/content checksum, no size
        Assert.Equal(0x40, frame[5]);  // BD: 64 KiB maximum block size
        Assert.Equal((short)CompressionType.Lz4, BinaryPrimitives.ReadInt16BigEndian(batch.AsSpan(RecordBatchHeader.AttributesOffset)));
    }

    [Fact]
    public void GzipBatch_Section_IsOneGzipStream()
    {
        byte[] batch = BatchTestHelpers.SimpleBatch(CompressionType.Gzip);

        Assert.Equal(new byte[] { 0x1F, 0x8B, 0x08 }, batch.AsSpan(RecordBatchHeader.Size, 3).ToArray());
        using var gzip = new GZipStream(new MemoryStream(batch, RecordBatchHeader.Size, batch.Length - RecordBatchHeader.Size), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gzip.CopyTo(plain);
        Assert.Equal(BatchTestHelpers.SimpleBatch(CompressionType.None).AsSpan(RecordBatchHeader.Size).ToArray(), plain.ToArray());
    }

    [Theory]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Zstd)]
    [InlineData((CompressionType)7)]
    public void Builder_UnsupportedCodec_ThrowsNotSupportedNamingSupportedCodecs(CompressionType compression)
    {
        var e = Assert.Throws<NotSupportedException>(() => new RecordBatchBuilder(compression));
        Assert.Contains("Gzip", e.Message, StringComparison.Ordinal);
        Assert.Contains("Lz4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SnappyBatch_ThrowsCorruptRecordNamingCodec()
    {
        byte[] batch = BatchTestHelpers.SimpleBatch();
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatchHeader.AttributesOffset), (short)CompressionType.Snappy);

        var e = Assert.Throws<CorruptRecordException>(() => new RecordBatch(batch).GetRecords());
        Assert.Contains("Snappy", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Lz4)]
    public void Read_DecompressionBomb_StopsAtCallerLimit(CompressionType compression)
    {
        using var builder = new RecordBatchBuilder(compression);
        builder.Append(0, null, new byte[8 * 1024 * 1024]); // 8 MiB of zeros compresses to a few KiB
        byte[] batch = builder.ToArray();
        Assert.True(batch.Length < 64 * 1024, $"compressed to {batch.Length} bytes");

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<CorruptRecordException>(() => new RecordBatch(batch).GetRecords(maxDecompressedBytes: 1024 * 1024));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("more than the allowed 1048576 bytes", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 4 * 1024 * 1024, $"allocated {allocated} bytes");
        Assert.Single(new RecordBatch(batch).ToList(maxDecompressedBytes: 9 * 1024 * 1024));
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Lz4)]
    public void Codec_ExactLimit_IsAccepted(CompressionType compression)
    {
        byte[] data = new byte[100_000];
        new Random(7).NextBytes(data.AsSpan(0, 50_000));
        ICompressionCodec codec = CompressionCodecs.Get(compression)!;
        var compressed = new ArrayBufferWriter<byte>();
        codec.Compress(data, compressed);

        var output = new ArrayBufferWriter<byte>();
        codec.Decompress(compressed.WrittenMemory, output, maxDecompressedBytes: data.Length);
        Assert.Equal(data, output.WrittenSpan.ToArray());
        Assert.Throws<CorruptRecordException>(() => codec.Decompress(compressed.WrittenMemory, new ArrayBufferWriter<byte>(), data.Length - 1));
    }

    [Fact]
    public void Lz4_LargeSection_SpansSeveralIndependentBlocks()
    {
        using var builder = new RecordBatchBuilder(CompressionType.Lz4);
        var value = new byte[300_000];
        new Random(1).NextBytes(value);
        builder.Append(0, null, value);
        byte[] batch = builder.ToArray();

        Record record = Assert.Single(new RecordBatch(batch).ToList());
        Assert.Equal(value, record.Value!.Value.ToArray());
        ReadOnlySpan<byte> frame = batch.AsSpan(RecordBatchHeader.Size);
        int firstBlockSize = BinaryPrimitives.ReadInt32LittleEndian(frame[7..]) & 0x7FFFFFFF;
        Assert.True(firstBlockSize <= 64 * 1024);
    }
}

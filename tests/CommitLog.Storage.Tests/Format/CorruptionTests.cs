using System.Buffers.Binary;
using FsCheck;
using FsCheck.Xunit;

namespace CommitLog.Storage.Tests.Format;

public class CorruptionTests
{
    public static TheoryData<CompressionType> Codecs => [CompressionType.None, CompressionType.Gzip, CompressionType.Lz4];

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Validate_EverySingleBitFlipInsideCrcOrLength_IsDetected(CompressionType compression)
    {
        byte[] original = BatchTestHelpers.SimpleBatch(compression, records: 4);
        RecordBatchValidator.ValidateExact(original);
        int undetected = 0;
        for (int bit = 0; bit < original.Length * 8; bit++)
        {
            int index = bit / 8;
            if (index < RecordBatchHeader.BatchLengthOffset
                || index is >= RecordBatchHeader.PartitionLeaderEpochOffset and < RecordBatchHeader.MagicOffset)
            {
                continue; // baseOffset and partitionLeaderEpoch are outside the CRC by design: see the next test
            }

            byte[] flipped = (byte[])original.Clone();
            flipped[index] ^= (byte)(1 << (bit % 8));
            if (RecordBatchValidator.CheckExact(flipped) == BatchValidationResult.Valid)
            {
                undetected++;
            }
        }

        Assert.Equal(0, undetected);
    }

    [Fact]
    public void Validate_FlipInBaseOffsetOrLeaderEpoch_StaysValidExceptSignBit()
    {
        // The log stamps these two fields after the CRC is computed, so they cannot be covered by it. Only the sign
        // bit of baseOffset breaks a range rule; the log catches the rest by checking offsets against neighbours.
        byte[] original = BatchTestHelpers.SimpleBatch();
        for (int bit = 0; bit < 8 * 8; bit++)
        {
            byte[] flipped = (byte[])original.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            BatchValidationResult expected = bit == 7 ? BatchValidationResult.NegativeBaseOffset : BatchValidationResult.Valid;
            Assert.Equal(expected, RecordBatchValidator.CheckExact(flipped));
        }

        for (int bit = 12 * 8; bit < 16 * 8; bit++)
        {
            byte[] flipped = (byte[])original.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Equal(BatchValidationResult.Valid, RecordBatchValidator.CheckExact(flipped));
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Truncate_AtEveryLength_IsRejectedEverywhere(CompressionType compression)
    {
        byte[] original = BatchTestHelpers.SimpleBatch(compression);
        for (int length = 0; length < original.Length; length++)
        {
            byte[] truncated = original[..length];
            Assert.Equal(BatchValidationResult.Incomplete, RecordBatchValidator.CheckExact(truncated));
            Assert.Throws<CorruptRecordException>(() => RecordBatchValidator.ValidateExact(truncated));
            Assert.Throws<CorruptRecordException>(() => new RecordBatch(truncated));
            RecordBatchEnumerator all = RecordBatch.ReadAll(truncated);
            Assert.False(all.MoveNext());
            Assert.Equal(0, all.BytesConsumed);
        }
    }

    [Fact]
    public void ValidateExact_TrailingByte_IsLengthMismatch()
    {
        byte[] batch = [.. BatchTestHelpers.SimpleBatch(), 0];

        Assert.Equal(BatchValidationResult.BatchLengthMismatch, RecordBatchValidator.CheckExact(batch));
        Assert.Equal(BatchValidationResult.Valid, RecordBatchValidator.Check(batch, out int size));
        Assert.Equal(batch.Length - 1, size);
    }

    [Theory]
    [InlineData(RecordBatchHeader.MagicOffset, 1, "magic 1", "only magic 2")]
    [InlineData(RecordBatchHeader.BatchLengthOffset, -5, "batchLength -5", "allowed is 49")]
    [InlineData(RecordBatchHeader.LastOffsetDeltaOffset, -1, "lastOffsetDelta -1", ">= 0")]
    [InlineData(RecordBatchHeader.RecordsCountOffset, -2, "recordsCount -2", ">= 0")]
    [InlineData(RecordBatchHeader.RecordsCountOffset, 9, "recordsCount 9", "more than the 3 offsets")]
    [InlineData(RecordBatchHeader.AttributesOffset, 6, "compression id 6", "allowed ids")]
    public void Validate_BadField_MessageNamesFieldValueAndRule(int fieldOffset, int badValue, string named, string rule)
    {
        byte[] batch = BatchTestHelpers.SimpleBatch();
        switch (fieldOffset)
        {
            case RecordBatchHeader.MagicOffset:
                batch[fieldOffset] = (byte)badValue;
                break;
            case RecordBatchHeader.AttributesOffset:
                BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(fieldOffset), (short)badValue);
                break;
            default:
                BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(fieldOffset), badValue);
                break;
        }

        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatchHeader.CrcOffset), RecordBatchHeader.ComputeCrc(batch));

        var e = Assert.Throws<CorruptRecordException>(() => RecordBatchValidator.ValidateExact(batch, "00000000000000000000.log", 4096));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.Contains(rule, e.Message, StringComparison.Ordinal);
        Assert.Contains("position 4096 of 00000000000000000000.log", e.Message, StringComparison.Ordinal);
        Assert.Equal(("00000000000000000000.log", 4096L), (e.File, e.Position));
        Assert.Equal(ErrorCode.CorruptMessage, e.ErrorCode);
    }

    [Fact]
    public void Validate_BadCrc_MessageShowsStoredAndComputed()
    {
        byte[] batch = BatchTestHelpers.SimpleBatch();
        batch[^1] ^= 0x10;

        var e = Assert.Throws<CorruptRecordException>(() => new RecordBatch(batch).Validate());
        Assert.Contains("CRC-32C", e.Message, StringComparison.Ordinal);
        Assert.Contains($"stored 0x{BinaryPrimitives.ReadUInt32BigEndian(batch.AsSpan(17)):X8}", e.Message, StringComparison.Ordinal);
    }

    [Property(MaxTest = 300)]
    public bool Decode_GarbageRecordsSectionWithValidCrc_ThrowsOnlyCorruptRecord(byte[] garbage, int recordsCount, byte codec)
    {
        // Forge a batch whose header and CRC are fine but whose records section is random: decoding must fail cleanly.
        garbage ??= [];
        var compression = (CompressionType)(codec % 5);
        byte[] batch = new byte[RecordBatchHeader.Size + garbage.Length];
        BatchTestHelpers.SimpleBatch().AsSpan(0, RecordBatchHeader.Size).CopyTo(batch);
        garbage.CopyTo(batch, RecordBatchHeader.Size);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.BatchLengthOffset), batch.Length - 12);
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatchHeader.AttributesOffset), (short)compression);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.RecordsCountOffset), recordsCount);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.LastOffsetDeltaOffset), int.MaxValue);
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatchHeader.CrcOffset), RecordBatchHeader.ComputeCrc(batch));
        try
        {
            foreach (Record record in new RecordBatch(batch).GetRecords(maxDecompressedBytes: 1 << 20))
            {
                _ = record.Headers.Count;
            }

            return true;
        }
        catch (CorruptRecordException)
        {
            return true;
        }
    }

    [Property(MaxTest = 400)]
    public bool Decode_MutatedCompressedSectionWithValidCrc_ThrowsOnlyCorruptRecord(int seed, bool lz4)
    {
        // Start from a real compressed batch (valid frame headers) and damage a few bytes, so the decoders get past
        // their magic checks and meet damaged blocks, lengths and checksums.
        var random = new Random(seed);
        byte[] batch = BatchTestHelpers.SimpleBatch(lz4 ? CompressionType.Lz4 : CompressionType.Gzip, records: 1 + random.Next(20));
        int mutations = 1 + random.Next(4);
        for (int i = 0; i < mutations; i++)
        {
            int index = RecordBatchHeader.Size + random.Next(batch.Length - RecordBatchHeader.Size);
            batch[index] = (byte)random.Next(256);
        }

        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatchHeader.CrcOffset), RecordBatchHeader.ComputeCrc(batch));
        try
        {
            foreach (Record record in new RecordBatch(batch).GetRecords(maxDecompressedBytes: 1 << 20))
            {
                _ = record.Headers.Count;
            }

            return true;
        }
        catch (CorruptRecordException)
        {
            return true;
        }
    }

    [Fact]
    public void Decode_RecordsCountLargerThanSection_ThrowsMissingRecordsWithoutHugeAllocation()
    {
        byte[] batch = BatchTestHelpers.SimpleBatch();
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.RecordsCountOffset), int.MaxValue);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<CorruptRecordException>(() => new RecordBatch(batch).ToList());
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Contains("recordsCount 2147483647", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RecordsCountSmallerThanSection_ThrowsTrailingBytes()
    {
        byte[] batch = BatchTestHelpers.SimpleBatch(records: 3);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.RecordsCountOffset), 2);

        var e = Assert.Throws<CorruptRecordException>(() => new RecordBatch(batch).ToList());
        Assert.Contains("remain after the 2 records", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_NegativeKeyLength_NamesTheField()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(0, new byte[] { 1, 2, 3 }, new byte[] { 4 });
        byte[] batch = builder.ToArray();

        // record: length, attributes, timestampDelta, offsetDelta, keyLength (index 4 in the section) ...
        batch[RecordBatchHeader.Size + 4] = 0x03; // zigzag -2

        var e = Assert.Throws<CorruptRecordException>(() => new RecordBatch(batch).ToList());
        Assert.Contains("keyLength is -2", e.Message, StringComparison.Ordinal);
    }
}

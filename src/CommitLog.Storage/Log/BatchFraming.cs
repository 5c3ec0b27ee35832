using System.Buffers.Binary;

namespace CommitLog.Storage;

/// <summary>
/// Framing checks for batches as the log stores them: the length, magic, CRC-32C and offsets of a batch at the
/// start of a buffer. Shared by append validation, reads, recovery and index rebuilds.
/// </summary>
internal static class BatchFraming
{
    /// <summary>Checks the batch at the start of <paramref name="data"/>.</summary>
    /// <param name="data">Bytes starting at a batch boundary.</param>
    /// <param name="maxBatchBytes">The largest acceptable total size.</param>
    /// <param name="verifyCrc">Whether to compute and compare the CRC-32C.</param>
    /// <param name="totalSize">The batch's total size when its length field could be read, else 0.</param>
    public static BatchStatus Check(ReadOnlySpan<byte> data, int maxBatchBytes, bool verifyCrc, out int totalSize)
    {
        totalSize = 0;
        if (data.Length < RecordBatchHeader.LogOverhead)
        {
            return BatchStatus.Incomplete;
        }

        var batchLength = BinaryPrimitives.ReadInt32BigEndian(data[RecordBatchHeader.BatchLengthOffset..]);
        if (batchLength < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead || batchLength > maxBatchBytes - RecordBatchHeader.LogOverhead)
        {
            return BatchStatus.BadLength;
        }

        totalSize = batchLength + RecordBatchHeader.LogOverhead;
        if (data.Length <= RecordBatchHeader.MagicOffset)
        {
            return BatchStatus.Incomplete;
        }

        if (data[RecordBatchHeader.MagicOffset] != RecordBatchHeader.CurrentMagic)
        {
            return BatchStatus.BadMagic;
        }

        if (data.Length < totalSize)
        {
            return BatchStatus.Incomplete;
        }

        if (BinaryPrimitives.ReadInt32BigEndian(data[RecordBatchHeader.LastOffsetDeltaOffset..]) < 0)
        {
            return BatchStatus.BadOffsets;
        }

        if (verifyCrc)
        {
            var stored = BinaryPrimitives.ReadUInt32BigEndian(data[RecordBatchHeader.CrcOffset..]);
            if (stored != RecordBatchHeader.ComputeCrc(data[..totalSize]))
            {
                return BatchStatus.BadCrc;
            }
        }

        return BatchStatus.Valid;
    }

    public static long BaseOffset(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt64BigEndian(batch);

    public static long LastOffset(ReadOnlySpan<byte> batch)
        => BinaryPrimitives.ReadInt64BigEndian(batch) + BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchHeader.LastOffsetDeltaOffset..]);

    public static int LastOffsetDelta(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchHeader.LastOffsetDeltaOffset..]);

    public static long MaxTimestamp(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt64BigEndian(batch[RecordBatchHeader.MaxTimestampOffset..]);

    public static int LeaderEpoch(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchHeader.PartitionLeaderEpochOffset..]);

    /// <summary>
    /// Counts the records of an uncompressed batch by walking their length prefixes; -1 if the records section is not
    /// a whole number of records. Returns null for a compressed batch (its records are not looked at).
    /// </summary>
    public static int? CountUncompressedRecords(ReadOnlySpan<byte> batch)
    {
        var attributes = BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..]);
        if ((attributes & RecordBatchHeader.CompressionMask) != 0)
        {
            return null;
        }

        var section = batch[RecordBatchHeader.Size..];
        var position = 0;
        var count = 0;
        while (position < section.Length)
        {
            int length;
            try
            {
                length = Varint.ReadVarint(section, ref position);
            }
            catch (CorruptRecordException)
            {
                return -1;
            }

            if (length < 0 || length > section.Length - position)
            {
                return -1;
            }

            position += length;
            count++;
        }

        return count;
    }

    public static string Describe(BatchStatus status) => status switch
    {
        BatchStatus.Incomplete => "the batch is cut short",
        BatchStatus.BadLength => "the batch length is out of range",
        BatchStatus.BadMagic => "the magic byte is not 2 (RecordBatch v2)",
        BatchStatus.BadCrc => "the CRC-32C does not match",
        BatchStatus.BadOffsets => "the batch offsets are invalid",
        _ => "the batch is valid",
    };
}

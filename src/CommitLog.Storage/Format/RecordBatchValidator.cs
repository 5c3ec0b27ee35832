using System.Buffers.Binary;

namespace CommitLog.Storage;

/// <summary>
/// Validates encoded RecordBatch v2 batches: lengths consistent with the buffer, magic 2, CRC-32C, and header fields
/// in range (baseOffset &gt;= 0, lastOffsetDelta &gt;= 0, 0 &lt;= recordsCount &lt;= lastOffsetDelta + 1, a codec id 0-4).
/// The records section itself is checked when it is decoded (<see cref="RecordBatch.GetRecords"/>).
/// </summary>
/// <remarks>
/// baseOffset and partitionLeaderEpoch lie outside the CRC by design (the log stamps them), so a damaged bit there
/// is caught only if it breaks a range check; the log checks offsets against their neighbours on recovery.
/// Stateless and thread-safe.
/// </remarks>
internal static class RecordBatchValidator
{
    /// <summary>The smallest legal batchLength: the header bytes after the batchLength field.</summary>
    public const int MinBatchLength = RecordBatchHeader.Size - RecordBatchHeader.LogOverhead;

    /// <summary>
    /// Checks the batch at the start of <paramref name="data"/>, which may hold more bytes after it.
    /// </summary>
    /// <param name="data">Bytes that start with a batch.</param>
    /// <param name="totalSize">The declared size of the batch in bytes (batchLength + 12), or 0 if not readable.</param>
    /// <returns><see cref="BatchValidationResult.Valid"/> or the first problem found.</returns>
    public static BatchValidationResult Check(ReadOnlySpan<byte> data, out int totalSize)
    {
        totalSize = 0;
        if (data.Length < RecordBatchHeader.LogOverhead)
        {
            return BatchValidationResult.Incomplete;
        }

        int batchLength = BinaryPrimitives.ReadInt32BigEndian(data[RecordBatchHeader.BatchLengthOffset..]);
        if (batchLength < MinBatchLength || batchLength > int.MaxValue - RecordBatchHeader.LogOverhead)
        {
            return BatchValidationResult.BatchLengthTooSmall;
        }

        totalSize = batchLength + RecordBatchHeader.LogOverhead;
        if (data.Length < totalSize)
        {
            return BatchValidationResult.Incomplete;
        }

        ReadOnlySpan<byte> batch = data[..totalSize];
        if (batch[RecordBatchHeader.MagicOffset] != RecordBatchHeader.CurrentMagic)
        {
            return BatchValidationResult.BadMagic;
        }

        uint stored = BinaryPrimitives.ReadUInt32BigEndian(batch[RecordBatchHeader.CrcOffset..]);
        if (stored != RecordBatchHeader.ComputeCrc(batch))
        {
            return BatchValidationResult.BadCrc;
        }

        return CheckFields(RecordBatchHeader.Read(batch));
    }

    /// <summary>Checks that <paramref name="batch"/> holds exactly one valid batch.</summary>
    /// <returns><see cref="BatchValidationResult.Valid"/> or the first problem found.</returns>
    public static BatchValidationResult CheckExact(ReadOnlySpan<byte> batch)
    {
        BatchValidationResult result = Check(batch, out int totalSize);
        if (result == BatchValidationResult.Valid && totalSize != batch.Length)
        {
            return BatchValidationResult.BatchLengthMismatch;
        }

        return result;
    }

    /// <summary>Validates the batch at the start of <paramref name="data"/> and returns its size in bytes.</summary>
    /// <param name="data">Bytes that start with a batch; more may follow.</param>
    /// <param name="file">The segment file the bytes come from, for the exception; <see langword="null"/> for input.</param>
    /// <param name="position">The byte position of the batch in <paramref name="file"/>, or -1.</param>
    /// <returns>The total size of the batch in bytes.</returns>
    /// <exception cref="CorruptRecordException">The batch is truncated or invalid; the message names the field.</exception>
    public static int Validate(ReadOnlySpan<byte> data, string? file = null, long position = -1)
    {
        BatchValidationResult result = Check(data, out int totalSize);
        if (result != BatchValidationResult.Valid)
        {
            throw CreateException(result, data, file, position);
        }

        return totalSize;
    }

    /// <summary>Validates that <paramref name="batch"/> holds exactly one valid batch.</summary>
    /// <exception cref="CorruptRecordException">The batch is truncated, longer than declared, or invalid.</exception>
    public static void ValidateExact(ReadOnlySpan<byte> batch, string? file = null, long position = -1)
    {
        BatchValidationResult result = CheckExact(batch);
        if (result != BatchValidationResult.Valid)
        {
            throw CreateException(result, batch, file, position);
        }
    }

    /// <summary>Checks only the structure needed to parse the header (size, batchLength, magic), not the CRC.</summary>
    /// <exception cref="CorruptRecordException">The batch cannot be parsed.</exception>
    public static void ValidateStructure(ReadOnlySpan<byte> batch)
    {
        BatchValidationResult result = BatchValidationResult.Valid;
        if (batch.Length < RecordBatchHeader.Size)
        {
            result = BatchValidationResult.Incomplete;
        }
        else
        {
            int batchLength = BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchHeader.BatchLengthOffset..]);
            if (batchLength < MinBatchLength || batchLength > int.MaxValue - RecordBatchHeader.LogOverhead)
            {
                result = BatchValidationResult.BatchLengthTooSmall;
            }
            else if (batchLength + RecordBatchHeader.LogOverhead != batch.Length)
            {
                result = BatchValidationResult.BatchLengthMismatch;
            }
            else if (batch[RecordBatchHeader.MagicOffset] != RecordBatchHeader.CurrentMagic)
            {
                result = BatchValidationResult.BadMagic;
            }
        }

        if (result != BatchValidationResult.Valid)
        {
            throw CreateException(result, batch, null, -1);
        }
    }

    /// <summary>Builds the exception for a failed check, naming the field, the bad value and what is allowed.</summary>
    public static CorruptRecordException CreateException(BatchValidationResult result, ReadOnlySpan<byte> data, string? file, long position)
    {
        string where = file is null ? "Record batch" : $"Record batch at position {position} of {file}";
        string message = result switch
        {
            BatchValidationResult.Incomplete => data.Length < RecordBatchHeader.LogOverhead
                ? $"{where} is truncated: {data.Length} bytes, fewer than the {RecordBatchHeader.LogOverhead} bytes of baseOffset and batchLength."
                : $"{where} is truncated: batchLength {ReadBatchLength(data)} needs {(long)ReadBatchLength(data) + RecordBatchHeader.LogOverhead} bytes, but only {data.Length} are present.",
            BatchValidationResult.BatchLengthTooSmall =>
                $"{where} has batchLength {ReadBatchLength(data)}; allowed is {MinBatchLength} to {int.MaxValue - RecordBatchHeader.LogOverhead} (the header after batchLength is {MinBatchLength} bytes).",
            BatchValidationResult.BatchLengthMismatch =>
                $"{where} has batchLength {ReadBatchLength(data)} (total {(long)ReadBatchLength(data) + RecordBatchHeader.LogOverhead} bytes), but the buffer holds {data.Length} bytes; they must match.",
            BatchValidationResult.BadMagic =>
                $"{where} has magic {data[RecordBatchHeader.MagicOffset]}; only magic {RecordBatchHeader.CurrentMagic} (RecordBatch v2) is supported.",
            BatchValidationResult.BadCrc =>
                $"{where} failed its CRC-32C check: stored 0x{BinaryPrimitives.ReadUInt32BigEndian(data[RecordBatchHeader.CrcOffset..]):X8}, computed 0x{RecordBatchHeader.ComputeCrc(data[..(ReadBatchLength(data) + RecordBatchHeader.LogOverhead)]):X8} over bytes [21, end).",
            _ => FieldMessage(where, result, RecordBatchHeader.Read(data)),
        };
        return new CorruptRecordException(message, file, position);
    }

    private static BatchValidationResult CheckFields(RecordBatchHeader header)
    {
        if (header.BaseOffset < 0)
        {
            return BatchValidationResult.NegativeBaseOffset;
        }

        if (header.LastOffsetDelta < 0)
        {
            return BatchValidationResult.NegativeLastOffsetDelta;
        }

        if (header.BaseOffset > long.MaxValue - header.LastOffsetDelta)
        {
            return BatchValidationResult.LastOffsetOverflow;
        }

        if (header.RecordsCount < 0)
        {
            return BatchValidationResult.NegativeRecordsCount;
        }

        if (header.RecordsCount > (long)header.LastOffsetDelta + 1)
        {
            return BatchValidationResult.RecordsCountExceedsOffsets;
        }

        return (int)header.Compression > (int)CompressionType.Zstd ? BatchValidationResult.InvalidCompression : BatchValidationResult.Valid;
    }

    private static string FieldMessage(string where, BatchValidationResult result, RecordBatchHeader h) => result switch
    {
        BatchValidationResult.NegativeBaseOffset => $"{where} has baseOffset {h.BaseOffset}; it must be >= 0.",
        BatchValidationResult.NegativeLastOffsetDelta => $"{where} has lastOffsetDelta {h.LastOffsetDelta}; it must be >= 0.",
        BatchValidationResult.LastOffsetOverflow =>
            $"{where} has baseOffset {h.BaseOffset} and lastOffsetDelta {h.LastOffsetDelta}; their sum must not exceed {long.MaxValue}.",
        BatchValidationResult.NegativeRecordsCount => $"{where} has recordsCount {h.RecordsCount}; it must be >= 0.",
        BatchValidationResult.RecordsCountExceedsOffsets =>
            $"{where} has recordsCount {h.RecordsCount}, more than the {(long)h.LastOffsetDelta + 1} offsets its lastOffsetDelta {h.LastOffsetDelta} spans.",
        BatchValidationResult.InvalidCompression =>
            $"{where} has compression id {(int)h.Compression} in its attributes; allowed ids are 0 (none), 1 (gzip), 2 (snappy), 3 (lz4) and 4 (zstd).",
        _ => $"{where} is invalid ({result}).",
    };

    private static int ReadBatchLength(ReadOnlySpan<byte> data) => BinaryPrimitives.ReadInt32BigEndian(data[RecordBatchHeader.BatchLengthOffset..]);
}

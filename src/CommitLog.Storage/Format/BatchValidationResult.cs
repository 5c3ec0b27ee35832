namespace CommitLog.Storage;

/// <summary>The outcome of <see cref="RecordBatchValidator.Check"/>: <see cref="Valid"/> or the first problem found.</summary>
internal enum BatchValidationResult
{
    /// <summary>The batch passed every check.</summary>
    Valid = 0,

    /// <summary>The buffer ends before the batch does: fewer than 12 bytes, or fewer than batchLength + 12.</summary>
    Incomplete,

    /// <summary>batchLength is below 49, the size of the header after the batchLength field.</summary>
    BatchLengthTooSmall,

    /// <summary>batchLength + 12 differs from the buffer length where the buffer must hold exactly one batch.</summary>
    BatchLengthMismatch,

    /// <summary>The magic byte is not 2.</summary>
    BadMagic,

    /// <summary>The stored CRC-32C differs from the CRC-32C of bytes [21, end).</summary>
    BadCrc,

    /// <summary>baseOffset is negative.</summary>
    NegativeBaseOffset,

    /// <summary>lastOffsetDelta is negative.</summary>
    NegativeLastOffsetDelta,

    /// <summary>baseOffset + lastOffsetDelta overflows int64.</summary>
    LastOffsetOverflow,

    /// <summary>recordsCount is negative.</summary>
    NegativeRecordsCount,

    /// <summary>recordsCount is larger than lastOffsetDelta + 1, the number of offsets the batch spans.</summary>
    RecordsCountExceedsOffsets,

    /// <summary>The compression bits hold 5, 6 or 7, which are not codec ids.</summary>
    InvalidCompression,
}

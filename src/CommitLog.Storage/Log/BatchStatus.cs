namespace CommitLog.Storage;

/// <summary>The outcome of checking one stored batch's framing and checksum.</summary>
internal enum BatchStatus
{
    Valid,

    /// <summary>The buffer ends before the batch does (a torn tail, or a read that stopped short).</summary>
    Incomplete,

    /// <summary>batchLength is below the header size or above the limit.</summary>
    BadLength,

    /// <summary>The magic byte is not 2.</summary>
    BadMagic,

    /// <summary>The CRC-32C does not match the bytes.</summary>
    BadCrc,

    /// <summary>lastOffsetDelta is negative or the base offset does not follow the previous batch.</summary>
    BadOffsets,
}

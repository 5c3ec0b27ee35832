namespace CommitLog.Storage;

/// <summary>
/// The messages of every <see cref="CorruptRecordException"/> the format code throws, in one place. Each names the
/// field, the bad value and what is allowed.
/// </summary>
internal static class FormatErrors
{
    public static CorruptRecordException TruncatedVarint(string kind, int position, int length)
        => new($"Truncated {kind} at byte {position} of a {length}-byte records section: the last byte has its continuation bit set.");

    public static CorruptRecordException VarintTooLong(string kind, int maxBytes, int position)
        => new($"Malformed {kind} at byte {position}: longer than the {maxBytes} bytes a {kind} may take.");

    public static CorruptRecordException DecompressionFailed(string codec, Exception inner)
        => new($"The {codec} records section of the batch could not be decompressed: {inner.Message}", innerException: inner);

    public static CorruptRecordException DecompressedTooLarge(string codec, int maxBytes)
        => new($"The {codec} records section decompresses to more than the allowed {maxBytes} bytes; "
            + "the batch is corrupt or a decompression bomb (raise maxDecompressedBytes if it is genuine).");

    public static CorruptRecordException UnsupportedCompression(CompressionType type)
        => new($"The batch uses compression {type} ({(int)type}), which cannot be decoded. Supported codecs: {CompressionCodecs.Supported}.");

    public static CorruptRecordException RecordField(string field, long value, string allowed, int index, int position)
        => new($"Record {index} (at byte {position} of the records section): {field} is {value}; {allowed}.");

    public static CorruptRecordException RecordSizeMismatch(int index, int declared, int actual)
        => new($"Record {index}: its length field says {declared} bytes, but its fields take {actual} bytes.");

    public static CorruptRecordException TrailingBytes(int recordsCount, int remaining)
        => new($"{remaining} bytes remain after the {recordsCount} records the batch declares (recordsCount); "
            + "recordsCount must match the records section.");

    public static CorruptRecordException MissingRecords(int recordsCount, int read)
        => new($"The batch declares recordsCount {recordsCount}, but its records section ends after {read} records.");
}

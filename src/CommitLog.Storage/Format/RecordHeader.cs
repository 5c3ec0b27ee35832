namespace CommitLog.Storage;

/// <summary>A record header: a UTF-8 key and an optional value (Kafka KIP-82).</summary>
/// <param name="Key">The header key; must not be <see langword="null"/>.</param>
/// <param name="Value">The header value; <see langword="null"/> is written as length -1, distinct from empty.</param>
public readonly record struct RecordHeader(string Key, ReadOnlyMemory<byte>? Value)
{
    /// <summary>Initializes a header from an array; a <see langword="null"/> array gives a null value (not an empty one).</summary>
    /// <param name="key">The header key.</param>
    /// <param name="value">The header value, or <see langword="null"/>.</param>
    public RecordHeader(string key, byte[]? value)
        : this(key, value is null ? default(ReadOnlyMemory<byte>?) : new ReadOnlyMemory<byte>(value))
    {
    }
}

namespace CommitLog;

/// <summary>A record header: a UTF-8 key and an optional byte value (Kafka allows a null value).</summary>
public readonly record struct Header
{
    /// <summary>Creates a header.</summary>
    /// <param name="key">The header key.</param>
    /// <param name="value">The value, or <see langword="null"/>. The array is not copied: do not change it after adding the header.</param>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    public Header(string key, byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        Key = key;
        Value = value;
    }

    /// <summary>Gets the header key.</summary>
    public string Key { get; }

    /// <summary>Gets the value, or <see langword="null"/>.</summary>
    public byte[]? Value { get; }
}

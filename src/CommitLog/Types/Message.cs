namespace CommitLog;

/// <summary>A record to produce, or a consumed record: key, value, timestamp and headers.</summary>
/// <typeparam name="TKey">The key type; records with equal keys go to the same partition.</typeparam>
/// <typeparam name="TValue">The value type; a <see langword="null"/> value is a tombstone on compacted topics.</typeparam>
public sealed class Message<TKey, TValue>
{
    /// <summary>Gets the key, or <see langword="null"/> for none (the partitioner then spreads records).</summary>
    public TKey? Key { get; init; }

    /// <summary>Gets the value, or <see langword="null"/> (a tombstone).</summary>
    public TValue? Value { get; init; }

    /// <summary>Gets the timestamp. Default <see cref="Timestamp.NotAvailable"/>: the producer stamps the time of the send.</summary>
    public Timestamp Timestamp { get; init; } = Timestamp.NotAvailable;

    /// <summary>Gets the headers, or <see langword="null"/> for none.</summary>
    public Headers? Headers { get; init; }
}

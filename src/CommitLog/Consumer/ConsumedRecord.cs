namespace CommitLog;

/// <summary>
/// One record returned by <see cref="IConsumer{TKey, TValue}.TryConsume"/>: the same data as a
/// <see cref="ConsumeResult{TKey, TValue}"/>, in a value type, so consuming allocates nothing beyond what the
/// deserializers create (none for <see cref="Ignore"/> and <see cref="Null"/>) and the headers, if any.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public readonly struct ConsumedRecord<TKey, TValue>
{
    internal ConsumedRecord(
        TopicPartition topicPartition, long offset, TKey? key, TValue? value, Headers? headers, Timestamp timestamp, int? leaderEpoch, bool isPartitionEof)
    {
        TopicPartition = topicPartition;
        Offset = offset;
        Key = key;
        Value = value;
        Headers = headers;
        Timestamp = timestamp;
        LeaderEpoch = leaderEpoch;
        IsPartitionEOF = isPartitionEof;
    }

    /// <summary>Gets the topic and partition the record was read from.</summary>
    public TopicPartition TopicPartition { get; }

    /// <summary>Gets the record's offset; for an end-of-partition notice, the offset the next record will get.</summary>
    public Offset Offset { get; }

    /// <summary>Gets the deserialized key.</summary>
    public TKey? Key { get; }

    /// <summary>Gets the deserialized value.</summary>
    public TValue? Value { get; }

    /// <summary>Gets the headers, or <see langword="null"/> when the record has none.</summary>
    public Headers? Headers { get; }

    /// <summary>Gets the record's timestamp.</summary>
    public Timestamp Timestamp { get; }

    /// <summary>Gets the leader epoch stored with the record's batch, or <see langword="null"/> if unknown.</summary>
    public int? LeaderEpoch { get; }

    /// <summary>Gets a value indicating whether this is an end-of-partition notice (<c>enable.partition.eof</c>) rather than a record.</summary>
    public bool IsPartitionEOF { get; }

    /// <summary>Gets the topic, partition and offset.</summary>
    public TopicPartitionOffset TopicPartitionOffset => new(TopicPartition, Offset);
}

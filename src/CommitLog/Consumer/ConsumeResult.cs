namespace CommitLog;

/// <summary>
/// One record returned by <see cref="IConsumer{TKey, TValue}.Consume(TimeSpan)"/>, with where it was stored; or, when
/// <see cref="IsPartitionEOF"/> is set, the notice that the consumer reached the end of a partition
/// (<c>enable.partition.eof</c>), with an empty message.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <remarks>A new instance per record; it owns its key, value and headers (nothing points into the consumer's buffers).</remarks>
public sealed class ConsumeResult<TKey, TValue>
{
    /// <summary>Gets the topic the record was read from.</summary>
    public required string Topic { get; init; }

    /// <summary>Gets the partition the record was read from.</summary>
    public Partition Partition { get; init; }

    /// <summary>Gets the record's offset; for an end-of-partition notice, the offset the next record will get.</summary>
    public Offset Offset { get; init; }

    /// <summary>Gets the leader epoch stored with the record's batch, or <see langword="null"/> if unknown (-1).</summary>
    public int? LeaderEpoch { get; init; }

    /// <summary>Gets the record; for an end-of-partition notice, an empty message (default key and value, no timestamp).</summary>
    public required Message<TKey, TValue> Message { get; init; }

    /// <summary>Gets a value indicating whether this is an end-of-partition notice (<c>enable.partition.eof</c>) rather than a record.</summary>
    public bool IsPartitionEOF { get; init; }

    /// <summary>Gets the topic and partition.</summary>
    public TopicPartition TopicPartition => new(Topic, Partition);

    /// <summary>Gets the topic, partition and offset.</summary>
    public TopicPartitionOffset TopicPartitionOffset => new(Topic, Partition, Offset);

    /// <inheritdoc/>
    public override string ToString() => IsPartitionEOF ? $"{TopicPartitionOffset} (end of partition)" : TopicPartitionOffset.ToString();
}

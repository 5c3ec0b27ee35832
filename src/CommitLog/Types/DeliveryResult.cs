using CommitLog.Storage;

namespace CommitLog;

/// <summary>Where a produced record was stored and how durable it was when the producer reported it.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed class DeliveryResult<TKey, TValue>
{
    /// <summary>Gets the topic.</summary>
    public required string Topic { get; init; }

    /// <summary>Gets the partition the record went to.</summary>
    public Partition Partition { get; init; }

    /// <summary>Gets the offset the log assigned (or <see cref="Offset.Unset"/> for <c>acks=0</c>).</summary>
    public Offset Offset { get; init; } = Offset.Unset;

    /// <summary>Gets the record's timestamp as stored (the log's append time on LogAppendTime topics).</summary>
    public Timestamp Timestamp { get; init; } = Timestamp.NotAvailable;

    /// <summary>Gets how far the record got before it was reported: written, flushed or replicated.</summary>
    public Durability Durability { get; init; }

    /// <summary>Gets the message that was produced.</summary>
    public required Message<TKey, TValue> Message { get; init; }

    /// <summary>Gets the topic and partition.</summary>
    public TopicPartition TopicPartition => new(Topic, Partition);

    /// <summary>Gets the topic, partition and offset.</summary>
    public TopicPartitionOffset TopicPartitionOffset => new(Topic, Partition, Offset);

    /// <summary>Gets the message key.</summary>
    public TKey? Key => Message.Key;

    /// <summary>Gets the message value.</summary>
    public TValue? Value => Message.Value;
}

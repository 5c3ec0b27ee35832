using System.Runtime.InteropServices;
using CommitLog.Storage;

namespace CommitLog;

/// <summary>
/// The outcome of a record sent with <c>Produce</c> (fire-and-forget): where it was stored, or why it failed. A value
/// type, so reporting allocates nothing.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
[StructLayout(LayoutKind.Auto)]
public readonly struct DeliveryReport<TKey, TValue>
{
    internal DeliveryReport(
        TopicPartition topicPartition, Offset offset, Timestamp timestamp, Durability durability, Message<TKey, TValue> message,
        Exception? error)
    {
        TopicPartition = topicPartition;
        Offset = offset;
        Timestamp = timestamp;
        Durability = durability;
        Message = message;
        Error = error;
    }

    /// <summary>Gets the topic and partition the record was sent to.</summary>
    public TopicPartition TopicPartition { get; }

    /// <summary>Gets the topic.</summary>
    public string Topic => TopicPartition.Topic;

    /// <summary>Gets the partition.</summary>
    public Partition Partition => TopicPartition.Partition;

    /// <summary>Gets the offset the log assigned; <see cref="Offset.Unset"/> for <c>acks=0</c> or on failure.</summary>
    public Offset Offset { get; }

    /// <summary>Gets the record's timestamp as stored (the log's append time on LogAppendTime topics).</summary>
    public Timestamp Timestamp { get; }

    /// <summary>Gets how far the record got: <see cref="Durability.None"/> for <c>acks=0</c> or on failure.</summary>
    public Durability Durability { get; }

    /// <summary>Gets the message that was produced.</summary>
    public Message<TKey, TValue> Message { get; }

    /// <summary>Gets why the record was not delivered, or <see langword="null"/> when it was.</summary>
    public Exception? Error { get; }

    /// <summary>Gets a value indicating whether the record was delivered (<see cref="Error"/> is <see langword="null"/>).</summary>
    public bool IsSuccess => Error is null;

    /// <summary>Gets the topic, partition and offset.</summary>
    public TopicPartitionOffset TopicPartitionOffset => new(TopicPartition, Offset);
}

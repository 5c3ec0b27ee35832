using CommitLog.Storage;

namespace CommitLog;

/// <summary>The topic does not exist, or the partition is beyond its partition count (Kafka UNKNOWN_TOPIC_OR_PARTITION).</summary>
/// <remarks>Not retriable: an in-process broker's metadata is never stale, so the same call fails again until the topic is
/// created or its partitions are increased.</remarks>
public sealed class UnknownTopicOrPartitionException : CommitLogException
{
    internal UnknownTopicOrPartitionException(string topic, int? partition, string message)
        : base(ErrorCode.UnknownTopicOrPartition, message)
    {
        Topic = topic;
        Partition = partition;
    }

    /// <summary>Gets the topic that was asked for.</summary>
    public string Topic { get; }

    /// <summary>Gets the partition that was asked for, or <see langword="null"/> when the topic itself is unknown.</summary>
    public int? Partition { get; }
}

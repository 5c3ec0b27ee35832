using CommitLog.Storage;

namespace CommitLog;

/// <summary>A partition count is not allowed: not positive, or not larger than the topic's current count (Kafka INVALID_PARTITIONS).</summary>
public sealed class InvalidPartitionsException : CommitLogException
{
    internal InvalidPartitionsException(string topic, int requested, string message)
        : base(ErrorCode.InvalidPartitions, message)
    {
        Topic = topic;
        RequestedPartitions = requested;
    }

    /// <summary>Gets the topic the request was for.</summary>
    public string Topic { get; }

    /// <summary>Gets the partition count that was requested.</summary>
    public int RequestedPartitions { get; }
}

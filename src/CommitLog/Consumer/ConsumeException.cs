using CommitLog.Storage;

namespace CommitLog;

/// <summary>
/// A consume failed for one partition (Kafka's consumer error): most often its position is out of range and
/// <c>auto.offset.reset</c> is <c>error</c>, or it has no committed offset and the policy is <c>error</c>. The partition
/// stays assigned and returns no records until <see cref="IConsumer{TKey, TValue}.Seek"/> gives it a new position.
/// </summary>
public sealed class ConsumeException : CommitLogException
{
    internal ConsumeException(ErrorCode errorCode, TopicPartitionOffset topicPartitionOffset, string message, Exception? innerException = null)
        : base(errorCode, message, innerException)
    {
        TopicPartitionOffset = topicPartitionOffset;
    }

    /// <summary>Gets the partition and the position that failed.</summary>
    public TopicPartitionOffset TopicPartitionOffset { get; }
}

using CommitLog.Storage;

namespace CommitLog;

/// <summary>
/// A topic name is not legal (see <see cref="TopicName"/>), or it collides with an existing topic's name because the two
/// differ only in '.' versus '_' (Kafka INVALID_TOPIC_EXCEPTION).
/// </summary>
public sealed class InvalidTopicException : CommitLogException
{
    internal InvalidTopicException(string? topic, string message)
        : base(ErrorCode.InvalidTopic, message)
    {
        Topic = topic;
    }

    /// <summary>Gets the name that was refused, or <see langword="null"/> when none was given.</summary>
    public string? Topic { get; }
}

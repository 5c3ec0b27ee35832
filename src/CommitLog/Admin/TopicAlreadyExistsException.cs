using CommitLog.Storage;

namespace CommitLog;

/// <summary>A topic with the requested name already exists, or is still being deleted (Kafka TOPIC_ALREADY_EXISTS).</summary>
public sealed class TopicAlreadyExistsException : CommitLogException
{
    internal TopicAlreadyExistsException(string topic, string message)
        : base(ErrorCode.TopicAlreadyExists, message)
    {
        Topic = topic;
    }

    /// <summary>Gets the name of the topic that exists.</summary>
    public string Topic { get; }
}

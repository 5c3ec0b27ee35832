namespace CommitLog;

/// <summary>A partition and a point in time, to look up with <see cref="IConsumer{TKey, TValue}.OffsetsForTimes"/>.</summary>
public readonly record struct TopicPartitionTimestamp
{
    /// <summary>Creates a lookup for one partition.</summary>
    /// <param name="topicPartition">The partition.</param>
    /// <param name="timestamp">The time; the earliest record at or after it is looked up.</param>
    /// <exception cref="ArgumentNullException">The topic is <see langword="null"/>.</exception>
    public TopicPartitionTimestamp(TopicPartition topicPartition, Timestamp timestamp)
    {
        ArgumentNullException.ThrowIfNull(topicPartition.Topic, nameof(topicPartition));
        TopicPartition = topicPartition;
        Timestamp = timestamp;
    }

    /// <summary>Creates a lookup for one partition.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition.</param>
    /// <param name="timestamp">The time.</param>
    /// <exception cref="ArgumentNullException"><paramref name="topic"/> is <see langword="null"/>.</exception>
    public TopicPartitionTimestamp(string topic, Partition partition, Timestamp timestamp)
        : this(new TopicPartition(topic, partition), timestamp)
    {
    }

    /// <summary>Gets the partition.</summary>
    public TopicPartition TopicPartition { get; }

    /// <summary>Gets the topic.</summary>
    public string Topic => TopicPartition.Topic;

    /// <summary>Gets the partition number.</summary>
    public Partition Partition => TopicPartition.Partition;

    /// <summary>Gets the time to look up.</summary>
    public Timestamp Timestamp { get; }
}

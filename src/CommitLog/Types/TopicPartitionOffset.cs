namespace CommitLog;

/// <summary>A position in a partition of a topic.</summary>
public readonly record struct TopicPartitionOffset
{
    /// <summary>Creates a position.</summary>
    /// <param name="topic">The topic name.</param>
    /// <param name="partition">The partition.</param>
    /// <param name="offset">The offset in the partition.</param>
    /// <exception cref="ArgumentNullException"><paramref name="topic"/> is <see langword="null"/>.</exception>
    public TopicPartitionOffset(string topic, Partition partition, Offset offset)
    {
        ArgumentNullException.ThrowIfNull(topic);
        Topic = topic;
        Partition = partition;
        Offset = offset;
    }

    /// <summary>Creates a position.</summary>
    /// <param name="topicPartition">The partition.</param>
    /// <param name="offset">The offset in the partition.</param>
    /// <exception cref="ArgumentNullException">The topic of <paramref name="topicPartition"/> is <see langword="null"/> (a default
    /// value).</exception>
    public TopicPartitionOffset(TopicPartition topicPartition, Offset offset)
        : this(topicPartition.Topic, topicPartition.Partition, offset)
    {
    }

    /// <summary>Gets the topic name.</summary>
    public string Topic { get; }

    /// <summary>Gets the partition.</summary>
    public Partition Partition { get; }

    /// <summary>Gets the offset.</summary>
    public Offset Offset { get; }

    /// <summary>Gets the topic and partition.</summary>
    public TopicPartition TopicPartition => new(Topic, Partition);

    /// <summary>Returns <c>topic-partition@offset</c>.</summary>
    /// <returns>For example <c>orders-3@42</c>.</returns>
    public override string ToString() => $"{Topic}-{Partition}@{Offset}";
}

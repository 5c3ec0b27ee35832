namespace CommitLog;

/// <summary>A partition of a topic: the unit of ordering, storage and assignment.</summary>
public readonly record struct TopicPartition
{
    /// <summary>Creates a topic partition.</summary>
    /// <param name="topic">The topic name.</param>
    /// <param name="partition">The partition number.</param>
    /// <exception cref="ArgumentNullException"><paramref name="topic"/> is <see langword="null"/>.</exception>
    public TopicPartition(string topic, Partition partition)
    {
        ArgumentNullException.ThrowIfNull(topic);
        Topic = topic;
        Partition = partition;
    }

    /// <summary>Gets the topic name.</summary>
    public string Topic { get; }

    /// <summary>Gets the partition.</summary>
    public Partition Partition { get; }

    /// <summary>Returns Kafka's notation, <c>topic-partition</c>.</summary>
    /// <returns>For example <c>orders-3</c>.</returns>
    public override string ToString() => $"{Topic}-{Partition}";
}

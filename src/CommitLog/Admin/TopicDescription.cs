namespace CommitLog;

/// <summary>A topic as <see cref="BrokerAdmin.DescribeTopicAsync"/> sees it: its identity, its partitions and its settings.</summary>
/// <param name="Name">The topic name.</param>
/// <param name="TopicId">The topic's unique id, assigned at creation; a topic deleted and created again gets a new one.</param>
/// <param name="Partitions">The partitions, in partition order.</param>
/// <param name="Config">The topic's settings.</param>
public sealed record TopicDescription(string Name, Guid TopicId, IReadOnlyList<PartitionDescription> Partitions, TopicConfig Config)
{
    /// <summary>Gets the topic's settings as Kafka key/value strings, including the defaults (what <c>kafka-configs --describe</c>
    /// would list).</summary>
    public IReadOnlyDictionary<string, string> ConfigEntries => TopicConfigEntries.ToEntries(Config);
}

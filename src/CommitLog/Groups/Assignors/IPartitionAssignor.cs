namespace CommitLog.Groups.Assignors;

/// <summary>
/// Shares the partitions of the subscribed topics among a group's members: a pure function that the group leader runs
/// once per rebalance (Kafka's <c>ConsumerPartitionAssignor</c>). Implementations are stateless and thread-safe.
/// </summary>
internal interface IPartitionAssignor
{
    /// <summary>Gets the protocol name members announce in JoinGroup (Kafka's: <c>range</c>, <c>roundrobin</c>,
    /// <c>cooperative-sticky</c>).</summary>
    string Name { get; }

    /// <summary>Gets whether members keep their partitions through a rebalance and revoke only those that move (KIP-429);
    /// eager assignors expect every member to revoke everything before it rejoins.</summary>
    bool IsCooperative { get; }

    /// <summary>Computes the assignment.</summary>
    /// <param name="partitionCounts">The partition count of each topic that exists; subscribed topics missing here are skipped.</param>
    /// <param name="subscriptions">Each member's subscription, by member id.</param>
    /// <returns>The partitions of each member (every member has an entry, possibly empty), sorted by topic and partition.</returns>
    IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Assign(
        IReadOnlyDictionary<string, int> partitionCounts, IReadOnlyDictionary<string, ConsumerSubscription> subscriptions);
}

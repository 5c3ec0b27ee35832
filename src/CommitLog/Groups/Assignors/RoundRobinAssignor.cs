namespace CommitLog.Groups.Assignors;

/// <summary>
/// Kafka's <c>roundrobin</c> assignor: every partition of every subscribed topic, sorted by topic and partition, is dealt
/// to the members in member order, in turn, skipping members not subscribed to the partition's topic.
/// </summary>
internal sealed class RoundRobinAssignor : IPartitionAssignor
{
    /// <summary>Gets the shared instance.</summary>
    public static RoundRobinAssignor Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "roundrobin";

    /// <inheritdoc/>
    public bool IsCooperative => false;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Assign(
        IReadOnlyDictionary<string, int> partitionCounts, IReadOnlyDictionary<string, ConsumerSubscription> subscriptions)
    {
        ArgumentNullException.ThrowIfNull(partitionCounts);
        ArgumentNullException.ThrowIfNull(subscriptions);
        var assignment = AssignorSupport.EmptyAssignment(subscriptions);
        List<string> members = AssignorSupport.SortedMembers(subscriptions);
        int next = 0;
        foreach (TopicPartition partition in AssignorSupport.AllPartitions(partitionCounts, subscriptions))
        {
            // Some member subscribes to the topic (the partition list comes from the subscriptions), so this ends.
            while (!AssignorSupport.Subscribes(subscriptions[members[next]], partition.Topic))
            {
                next = (next + 1) % members.Count;
            }

            assignment[members[next]].Add(partition);
            next = (next + 1) % members.Count;
        }

        return AssignorSupport.Freeze(assignment);
    }
}

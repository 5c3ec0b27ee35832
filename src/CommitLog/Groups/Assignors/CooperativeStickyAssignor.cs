namespace CommitLog.Groups.Assignors;

/// <summary>
/// Kafka's <c>cooperative-sticky</c> assignor (KIP-429): the balanced sticky assignment of <see cref="StickyAssignment"/>,
/// except that a partition moving from its current owner to another member is left out of this rebalance: the owner sees
/// it missing from its new assignment, revokes it and rejoins, and the following rebalance gives it to its new member.
/// So no partition is ever owned by two members, and partitions that stay are never revoked.
/// </summary>
internal sealed class CooperativeStickyAssignor : IPartitionAssignor
{
    /// <summary>Gets the shared instance.</summary>
    public static CooperativeStickyAssignor Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "cooperative-sticky";

    /// <inheritdoc/>
    public bool IsCooperative => true;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Assign(
        IReadOnlyDictionary<string, int> partitionCounts, IReadOnlyDictionary<string, ConsumerSubscription> subscriptions)
    {
        ArgumentNullException.ThrowIfNull(partitionCounts);
        ArgumentNullException.ThrowIfNull(subscriptions);
        Dictionary<string, List<TopicPartition>> assignment = StickyAssignment.Compute(partitionCounts, subscriptions);

        // Every claim counts here, valid or not: a member that still holds a partition must revoke it before anyone else gets it.
        var claimedBy = new Dictionary<TopicPartition, HashSet<string>>();
        foreach ((string member, ConsumerSubscription subscription) in subscriptions)
        {
            foreach (TopicPartition partition in subscription.OwnedPartitions)
            {
                if (!claimedBy.TryGetValue(partition, out HashSet<string>? claimants))
                {
                    claimedBy[partition] = claimants = new HashSet<string>(StringComparer.Ordinal);
                }

                claimants.Add(member);
            }
        }

        foreach ((string member, List<TopicPartition> partitions) in assignment)
        {
            partitions.RemoveAll(p => claimedBy.TryGetValue(p, out HashSet<string>? claimants) && !claimants.Contains(member));
        }

        return AssignorSupport.Freeze(assignment);
    }
}

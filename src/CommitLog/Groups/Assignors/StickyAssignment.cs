namespace CommitLog.Groups.Assignors;

/// <summary>
/// The balanced, sticky assignment behind cooperative-sticky: every member keeps the partitions it owns (when it still
/// subscribes to their topic and no member of a newer generation claims them), new and orphaned partitions go to the least
/// loaded eligible member, then partitions move one at a time from the most to the least loaded eligible member until
/// no member has two more than another that could take one. With identical subscriptions the result is balanced (counts
/// differ by at most one) and each member keeps <c>min(owned, new count)</c> of its partitions.
/// </summary>
internal static class StickyAssignment
{
    /// <summary>Computes the assignment.</summary>
    /// <param name="partitionCounts">The partition count of each existing topic.</param>
    /// <param name="subscriptions">The members' subscriptions with their owned partitions.</param>
    /// <returns>Each member's partitions (unsorted lists).</returns>
    public static Dictionary<string, List<TopicPartition>> Compute(
        IReadOnlyDictionary<string, int> partitionCounts, IReadOnlyDictionary<string, ConsumerSubscription> subscriptions)
    {
        var assignment = AssignorSupport.EmptyAssignment(subscriptions);
        List<TopicPartition> all = AssignorSupport.AllPartitions(partitionCounts, subscriptions);
        var owners = ValidOwners(partitionCounts, subscriptions);
        var unassigned = new List<TopicPartition>();
        foreach (TopicPartition partition in all)
        {
            if (owners.TryGetValue(partition, out string? owner))
            {
                assignment[owner].Add(partition);
            }
            else
            {
                unassigned.Add(partition);
            }
        }

        List<string> members = AssignorSupport.SortedMembers(subscriptions);
        foreach (TopicPartition partition in unassigned)
        {
            string? target = LeastLoaded(members, assignment, subscriptions, partition.Topic);
            if (target is not null)
            {
                assignment[target].Add(partition);
            }
        }

        Balance(members, assignment, subscriptions, owners);
        return assignment;
    }

    /// <summary>The owner of each owned partition: the claim of the highest generation wins; equal claims drop the partition.</summary>
    private static Dictionary<TopicPartition, string> ValidOwners(
        IReadOnlyDictionary<string, int> partitionCounts, IReadOnlyDictionary<string, ConsumerSubscription> subscriptions)
    {
        var best = new Dictionary<TopicPartition, (string? Member, int Generation)>();
        foreach ((string member, ConsumerSubscription subscription) in subscriptions)
        {
            foreach (TopicPartition partition in subscription.OwnedPartitions)
            {
                bool exists = partitionCounts.TryGetValue(partition.Topic, out int count) && partition.Partition.Value < count
                    && partition.Partition.Value >= 0;
                if (!exists || !AssignorSupport.Subscribes(subscription, partition.Topic))
                {
                    continue;
                }

                if (!best.TryGetValue(partition, out var current) || subscription.GenerationId > current.Generation)
                {
                    best[partition] = (member, subscription.GenerationId);
                }
                else if (subscription.GenerationId == current.Generation)
                {
                    best[partition] = (null, current.Generation);
                }
            }
        }

        var owners = new Dictionary<TopicPartition, string>();
        foreach ((TopicPartition partition, var claim) in best)
        {
            if (claim.Member is { } member)
            {
                owners[partition] = member;
            }
        }

        return owners;
    }

    private static string? LeastLoaded(
        List<string> members,
        Dictionary<string, List<TopicPartition>> assignment,
        IReadOnlyDictionary<string, ConsumerSubscription> subscriptions,
        string topic)
    {
        string? target = null;
        foreach (string member in members)
        {
            if (AssignorSupport.Subscribes(subscriptions[member], topic)
                && (target is null || assignment[member].Count < assignment[target].Count))
            {
                target = member;
            }
        }

        return target;
    }

    /// <summary>Moves partitions from overloaded members until no move lowers the imbalance; each move strictly lowers the
    /// sum of squared counts, so this ends.</summary>
    private static void Balance(
        List<string> members,
        Dictionary<string, List<TopicPartition>> assignment,
        IReadOnlyDictionary<string, ConsumerSubscription> subscriptions,
        Dictionary<TopicPartition, string> owners)
    {
        while (true)
        {
            bool moved = false;
            foreach (string from in members.OrderByDescending(m => assignment[m].Count))
            {
                List<TopicPartition> source = assignment[from];

                // Prefer giving away partitions the member did not own before, then its highest partitions.
                foreach (TopicPartition partition in source
                             .OrderBy(p => owners.TryGetValue(p, out string? o) && o == from ? 1 : 0)
                             .ThenByDescending(p => p, Comparer<TopicPartition>.Create(AssignorSupport.Compare)))
                {
                    string? to = LeastLoaded(members, assignment, subscriptions, partition.Topic);
                    if (to is not null && assignment[to].Count + 1 < source.Count)
                    {
                        source.Remove(partition);
                        assignment[to].Add(partition);
                        moved = true;
                        break;
                    }
                }

                if (moved)
                {
                    break;
                }
            }

            if (!moved)
            {
                return;
            }
        }
    }
}

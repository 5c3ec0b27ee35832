namespace CommitLog.Groups.Assignors;

/// <summary>Helpers shared by the assignors.</summary>
internal static class AssignorSupport
{
    /// <summary>Kafka's member order: by <c>group.instance.id</c> when both members have one, else by member id.</summary>
    public static int CompareMembers(KeyValuePair<string, ConsumerSubscription> x, KeyValuePair<string, ConsumerSubscription> y)
        => x.Value.GroupInstanceId is { } a && y.Value.GroupInstanceId is { } b
            ? string.CompareOrdinal(a, b)
            : string.CompareOrdinal(x.Key, y.Key);

    /// <summary>Returns the member ids in Kafka's order.</summary>
    public static List<string> SortedMembers(IReadOnlyDictionary<string, ConsumerSubscription> subscriptions)
    {
        var members = subscriptions.ToList();
        members.Sort(CompareMembers);
        return [.. members.Select(m => m.Key)];
    }

    /// <summary>Returns every existing partition of every topic some member subscribes to, sorted by topic and partition.</summary>
    public static List<TopicPartition> AllPartitions(
        IReadOnlyDictionary<string, int> partitionCounts, IReadOnlyDictionary<string, ConsumerSubscription> subscriptions)
    {
        var topics = subscriptions.Values.SelectMany(s => s.Topics).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var all = new List<TopicPartition>();
        foreach (string topic in topics)
        {
            if (partitionCounts.TryGetValue(topic, out int count))
            {
                for (int p = 0; p < count; p++)
                {
                    all.Add(new TopicPartition(topic, p));
                }
            }
        }

        return all;
    }

    /// <summary>Sorts each member's list by topic then partition and returns a read-only view.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Freeze(Dictionary<string, List<TopicPartition>> assignment)
    {
        var result = new Dictionary<string, IReadOnlyList<TopicPartition>>(assignment.Count, StringComparer.Ordinal);
        foreach ((string member, List<TopicPartition> partitions) in assignment)
        {
            partitions.Sort(Compare);
            result[member] = partitions;
        }

        return result;
    }

    /// <summary>Orders partitions by topic (ordinal) then number.</summary>
    public static int Compare(TopicPartition x, TopicPartition y)
    {
        int byTopic = string.CompareOrdinal(x.Topic, y.Topic);
        return byTopic != 0 ? byTopic : x.Partition.Value.CompareTo(y.Partition.Value);
    }

    /// <summary>Returns an empty list per member.</summary>
    public static Dictionary<string, List<TopicPartition>> EmptyAssignment(IReadOnlyDictionary<string, ConsumerSubscription> subscriptions)
        => subscriptions.Keys.ToDictionary(m => m, _ => new List<TopicPartition>(), StringComparer.Ordinal);

    /// <summary>Returns whether a member subscribes to a topic.</summary>
    public static bool Subscribes(ConsumerSubscription subscription, string topic)
    {
        foreach (string t in subscription.Topics)
        {
            if (string.Equals(t, topic, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}

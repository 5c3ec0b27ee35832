namespace CommitLog.Groups.Assignors;

/// <summary>
/// Kafka's <c>range</c> assignor: topic by topic, the members subscribed to it (in member order) get consecutive ranges
/// of its partitions; the first <c>partitions % members</c> members get one extra. With 2 members and 2 topics of 3
/// partitions, the first member gets partitions 0-1 of both topics and the second partition 2 of both.
/// </summary>
internal sealed class RangeAssignor : IPartitionAssignor
{
    /// <summary>Gets the shared instance.</summary>
    public static RangeAssignor Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "range";

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
        var topics = subscriptions.Values.SelectMany(s => s.Topics).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (string topic in topics)
        {
            if (!partitionCounts.TryGetValue(topic, out int count))
            {
                continue;
            }

            var consumers = members.Where(m => AssignorSupport.Subscribes(subscriptions[m], topic)).ToList();
            int perMember = count / consumers.Count;
            int extra = count % consumers.Count;
            for (int i = 0; i < consumers.Count; i++)
            {
                int start = (perMember * i) + Math.Min(i, extra);
                int length = perMember + (i < extra ? 1 : 0);
                for (int p = start; p < start + length; p++)
                {
                    assignment[consumers[i]].Add(new TopicPartition(topic, p));
                }
            }
        }

        return AssignorSupport.Freeze(assignment);
    }
}

namespace CommitLog.Groups.Assignors;

/// <summary>
/// What a consumer tells the group leader when it joins (Kafka's <c>ConsumerProtocolSubscription</c>): the topics it
/// subscribes to, the partitions it owns now (used by cooperative-sticky) and the generation they were assigned in.
/// </summary>
/// <param name="Topics">The subscribed topics (a regex subscription sends the topics it matches now).</param>
/// <param name="OwnedPartitions">The partitions the member owns, or empty.</param>
/// <param name="GenerationId">The generation the owned partitions were assigned in, or -1.</param>
/// <param name="GroupInstanceId">The member's static id, if any: orders members for range and round-robin as in Kafka.</param>
internal sealed record ConsumerSubscription(
    IReadOnlyList<string> Topics,
    IReadOnlyList<TopicPartition> OwnedPartitions,
    int GenerationId = -1,
    string? GroupInstanceId = null)
{
    /// <summary>Creates a subscription that owns nothing.</summary>
    /// <param name="topics">The subscribed topics.</param>
    /// <returns>The subscription.</returns>
    public static ConsumerSubscription Of(params string[] topics) => new(topics, []);
}

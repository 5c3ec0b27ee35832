namespace CommitLog;

/// <summary>A member of a consumer group.</summary>
/// <param name="MemberId">The member id the coordinator gave (Kafka's CONSUMER-ID column).</param>
/// <param name="GroupInstanceId">The static member id (<c>group.instance.id</c>), if any.</param>
/// <param name="ClientId">The consumer's <c>client.id</c>.</param>
/// <param name="Host">Where the member runs (<c>in-process</c> for a consumer of this broker).</param>
/// <param name="Assignment">The partitions assigned to the member.</param>
public sealed record GroupMemberDescription(
    string MemberId, string? GroupInstanceId, string ClientId, string Host, IReadOnlyList<TopicPartition> Assignment);

namespace CommitLog;

/// <summary>
/// One partition of a consumer group: the columns of <c>kafka-consumer-groups --describe</c>. A partition appears when
/// the group committed an offset for it or a member has it assigned.
/// </summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="CurrentOffset">The committed offset (the next record the group will consume), or <see langword="null"/>
/// when the group has not committed one (Kafka prints <c>-</c>).</param>
/// <param name="LogEndOffset">The partition's log end offset.</param>
/// <param name="Lag">Records not yet consumed: <paramref name="LogEndOffset"/> minus <paramref name="CurrentOffset"/>, or
/// <see langword="null"/> without a committed offset.</param>
/// <param name="ConsumerId">The member the partition is assigned to, or <see langword="null"/>.</param>
/// <param name="Host">That member's host, or <see langword="null"/>.</param>
/// <param name="ClientId">That member's client id, or <see langword="null"/>.</param>
public sealed record GroupPartitionLag(
    string Topic, int Partition, long? CurrentOffset, long LogEndOffset, long? Lag, string? ConsumerId, string? Host, string? ClientId)
{
    /// <summary>Gets the topic and partition.</summary>
    public TopicPartition TopicPartition => new(Topic, Partition);
}

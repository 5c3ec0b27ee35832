namespace CommitLog.Groups;

/// <summary>
/// What a group member tells its consumer when the assignment changes. Called on the thread that called
/// <see cref="IGroupMembership.PollAsync"/>, in Kafka's order: revoked (or lost) before the rejoin's assigned.
/// </summary>
internal interface IAssignmentListener
{
    /// <summary>Partitions taken away in an orderly rebalance: the consumer may still commit their offsets.</summary>
    /// <param name="partitions">The revoked partitions.</param>
    /// <param name="cancellationToken">Cancels the callback.</param>
    /// <returns>A task that completes when the consumer has stopped consuming them.</returns>
    ValueTask OnPartitionsRevokedAsync(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken);

    /// <summary>Partitions added to the assignment (all of it under eager protocols, only the new ones under cooperative-sticky).</summary>
    /// <param name="partitions">The added partitions.</param>
    /// <param name="cancellationToken">Cancels the callback.</param>
    /// <returns>A task that completes when the consumer is ready to consume them.</returns>
    ValueTask OnPartitionsAssignedAsync(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken);

    /// <summary>Partitions lost without an orderly revoke (the member was removed: session timeout, poll interval exceeded,
    /// fenced): their offsets can no longer be committed.</summary>
    /// <param name="partitions">The lost partitions.</param>
    /// <param name="cancellationToken">Cancels the callback.</param>
    /// <returns>A task that completes when the consumer has stopped consuming them.</returns>
    ValueTask OnPartitionsLostAsync(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken);
}

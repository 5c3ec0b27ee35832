namespace CommitLog.Groups.Coordinator;

/// <summary>
/// Implemented by a cluster node's replication seam (<see cref="BrokerOptions.Replication"/>) when
/// <c>__consumer_offsets</c> is replicated: one coordinator per group across the cluster, the leader of the group's
/// offsets partition (Kafka's rule). Membership calls go through it (<see cref="IGroupCoordinatorClient"/>), and so do
/// offset commits, so that the coordinator's generation fences them.
/// </summary>
internal interface IClusterGroupCoordinator : IGroupCoordinatorClient
{
    /// <summary>
    /// Sends a commit to the group's coordinator when that is another node, and waits for its answer; returns
    /// <see langword="false"/> at once when this node is the coordinator (the caller then checks and stores the commit
    /// itself). NotCoordinator and CoordinatorNotAvailable answers are retried, after finding the coordinator again, until
    /// the request timeout.
    /// </summary>
    /// <param name="groupId">The group.</param>
    /// <param name="generation">The committing member's generation.</param>
    /// <param name="offsets">The offsets (already checked against this node's partitions).</param>
    /// <param name="cancellationToken">Cancels waiting; the commit may still happen.</param>
    /// <returns><see langword="true"/> when another node stored the commit; <see langword="false"/> when this node coordinates the group.</returns>
    /// <exception cref="CommitFailedException">The coordinator refused the commit (fencing: not retriable), or it could not
    /// be reached or could not replicate the commit (retriable).</exception>
    ValueTask<bool> TryForwardCommitAsync(
        string groupId, GroupGeneration generation, IReadOnlyList<OffsetCommit> offsets, CancellationToken cancellationToken);
}

namespace CommitLog.Replication.Control;

/// <summary>
/// Decides, for the whole cluster, who leads each partition and which replicas are in sync. The replication logic
/// depends only on this interface: the Raft control plane decides by consensus; the static one follows configuration
/// and explicit promotion.
/// </summary>
/// <remarks>Implementations are thread-safe. Metadata versions only move forward on a node.</remarks>
public interface IControlPlane : IAsyncDisposable
{
    /// <summary>Gets this node's id.</summary>
    int NodeId { get; }

    /// <summary>Gets the latest metadata this node has applied.</summary>
    ClusterMetadata Metadata { get; }

    /// <summary>Starts the control plane (joins the cluster, registers this node); returns once it has started.</summary>
    /// <param name="cancellationToken">Cancels starting.</param>
    ValueTask StartAsync(CancellationToken cancellationToken = default);

    /// <summary>Waits until this node has applied metadata newer than <paramref name="afterVersion"/>, and returns it.</summary>
    /// <param name="afterVersion">The version the caller already has.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    ValueTask<ClusterMetadata> WaitForChangeAsync(long afterVersion, CancellationToken cancellationToken = default);

    /// <summary>Creates a replicated topic, assigning each partition's replicas across the registered nodes.</summary>
    /// <param name="topic">The topic's settings.</param>
    /// <param name="cancellationToken">Cancels the request (it may still be committed).</param>
    /// <returns>The committed metadata that contains the topic.</returns>
    ValueTask<ClusterMetadata> CreateTopicAsync(ReplicatedTopic topic, CancellationToken cancellationToken = default);

    /// <summary>
    /// Asks to change a partition's ISR (Kafka's AlterPartition), sent by its leader. Committed only if
    /// <paramref name="leaderEpoch"/> and <paramref name="partitionEpoch"/> are still current and every new member is
    /// an unfenced replica; otherwise the returned state is the current one, unchanged.
    /// </summary>
    /// <param name="topicPartition">The partition.</param>
    /// <param name="leaderEpoch">The leader epoch the caller leads in.</param>
    /// <param name="partitionEpoch">The partition epoch the caller's view is based on.</param>
    /// <param name="isr">The proposed ISR (must contain the leader).</param>
    /// <param name="cancellationToken">Cancels the request (it may still be committed).</param>
    /// <returns>The partition's state after the request.</returns>
    ValueTask<PartitionState> AlterIsrAsync(
        TopicPartition topicPartition, int leaderEpoch, int partitionEpoch, IReadOnlyList<int> isr, CancellationToken cancellationToken = default);
}

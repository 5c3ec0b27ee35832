namespace CommitLog.Groups;

/// <summary>
/// Implemented by a cluster node's replication seam (<see cref="BrokerOptions.Replication"/>) when
/// <c>__consumer_offsets</c> is a replicated topic: the topic is created through the control plane, so every node holds
/// the same partitions, and the committed-offset store asks which of them this node holds a replica of.
/// </summary>
internal interface IReplicatedOffsetsTopic
{
    /// <summary>
    /// Creates <c>__consumer_offsets</c> through the control plane if the cluster has none yet (replication factor
    /// min(3, live nodes), <c>min.insync.replicas</c> min(2, replication factor), compacted), and waits until this node's
    /// broker has its local copy of the topic.
    /// </summary>
    /// <param name="partitions">The partition count to create it with (<see cref="BrokerOptions.OffsetsTopicPartitions"/>).</param>
    /// <param name="cancellationToken">Cancels waiting (the topic may still be created).</param>
    /// <returns>A task that completes when this node's broker has the topic.</returns>
    ValueTask EnsureOffsetsTopicAsync(int partitions, CancellationToken cancellationToken);

    /// <summary>Returns whether the cluster metadata this node applied names it as a replica of <paramref name="topicPartition"/>.</summary>
    /// <param name="topicPartition">A partition of <c>__consumer_offsets</c>.</param>
    /// <returns><see langword="true"/> if this node holds a replica of it.</returns>
    bool HoldsReplica(TopicPartition topicPartition);
}

namespace CommitLog.Replication.Control;

/// <summary>
/// One immutable version of the cluster's metadata, as the control plane committed it: the nodes, the replicated
/// topics and every partition's leader and ISR.
/// </summary>
/// <param name="Version">Increases with every committed change (for the Raft control plane, the applied log index).</param>
/// <param name="ControllerId">The node that currently acts as controller, or -1 when none is known.</param>
/// <param name="Brokers">The nodes by id.</param>
/// <param name="Topics">The replicated topics by name.</param>
/// <param name="Partitions">Every partition of every replicated topic.</param>
public sealed record ClusterMetadata(
    long Version,
    int ControllerId,
    IReadOnlyDictionary<int, BrokerRegistration> Brokers,
    IReadOnlyDictionary<string, ReplicatedTopic> Topics,
    IReadOnlyDictionary<TopicPartition, PartitionState> Partitions)
{
    /// <summary>Gets the empty metadata every control plane starts from.</summary>
    public static ClusterMetadata Empty { get; } = new(
        0, -1, new Dictionary<int, BrokerRegistration>(), new Dictionary<string, ReplicatedTopic>(), new Dictionary<TopicPartition, PartitionState>());
}

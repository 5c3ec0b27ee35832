namespace CommitLog.Replication.Control;

/// <summary>
/// The control plane's record of one partition: its replicas, the in-sync replicas (ISR), the leader and the epochs
/// that fence stale leaders and stale ISR changes.
/// </summary>
/// <param name="Topic">The topic name.</param>
/// <param name="Partition">The partition index.</param>
/// <param name="Replicas">The node ids holding a replica, in preference order (the first is the preferred leader).</param>
/// <param name="Isr">The in-sync replicas: the leader and every follower that has caught up; a subset of <paramref name="Replicas"/>.</param>
/// <param name="Leader">The leader's node id, or <see cref="NoLeader"/> when no eligible replica is alive (the partition is offline).</param>
/// <param name="LeaderEpoch">Incremented on every leader change (KIP-101); batches written by a leader carry it.</param>
/// <param name="PartitionEpoch">Incremented on every change of this record (leader or ISR); an ISR change must name the current one.</param>
public sealed record PartitionState(
    string Topic, int Partition, IReadOnlyList<int> Replicas, IReadOnlyList<int> Isr, int Leader, int LeaderEpoch, int PartitionEpoch)
{
    /// <summary>The <see cref="Leader"/> value of an offline partition.</summary>
    public const int NoLeader = -1;

    /// <summary>Gets the partition's key.</summary>
    public TopicPartition TopicPartition => new(Topic, Partition);
}

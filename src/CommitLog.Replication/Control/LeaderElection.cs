namespace CommitLog.Replication.Control;

/// <summary>One partition leader change.</summary>
/// <param name="TopicPartition">The partition.</param>
/// <param name="OldLeader">The previous leader, or <see cref="PartitionState.NoLeader"/>.</param>
/// <param name="NewLeader">The new leader, or <see cref="PartitionState.NoLeader"/> when the partition went offline.</param>
/// <param name="LeaderEpoch">The new leader epoch.</param>
/// <param name="Unclean">True when the new leader was not in the ISR: records only the old ISR held may be lost.</param>
public sealed record LeaderElection(TopicPartition TopicPartition, int OldLeader, int NewLeader, int LeaderEpoch, bool Unclean);

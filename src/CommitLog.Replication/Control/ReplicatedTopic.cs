namespace CommitLog.Replication.Control;

/// <summary>A replicated topic's cluster-wide settings.</summary>
/// <param name="Name">The topic name.</param>
/// <param name="PartitionCount">The number of partitions.</param>
/// <param name="ReplicationFactor">The number of replicas of each partition.</param>
/// <param name="MinInsyncReplicas">Kafka <c>min.insync.replicas</c>: with fewer in-sync replicas an <c>acks=all</c> write is refused.</param>
/// <param name="UncleanLeaderElection">Kafka <c>unclean.leader.election.enable</c>: whether a replica outside the ISR may
/// become leader when no in-sync replica is alive (this loses acknowledged records, and is reported).</param>
public sealed record ReplicatedTopic(string Name, int PartitionCount, int ReplicationFactor, int MinInsyncReplicas, bool UncleanLeaderElection);

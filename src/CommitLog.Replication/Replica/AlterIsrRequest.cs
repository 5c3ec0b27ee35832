namespace CommitLog.Replication.Replica;

/// <summary>An ISR change a leader asks the control plane for (Kafka AlterPartition); the host sends it to the <c>IControlPlane</c>.</summary>
/// <param name="TopicPartition">The partition.</param>
/// <param name="LeaderEpoch">The epoch the leader leads in.</param>
/// <param name="PartitionEpoch">The partition epoch the request is based on.</param>
/// <param name="Isr">The proposed ISR.</param>
internal sealed record AlterIsrRequest(TopicPartition TopicPartition, int LeaderEpoch, int PartitionEpoch, IReadOnlyList<int> Isr);

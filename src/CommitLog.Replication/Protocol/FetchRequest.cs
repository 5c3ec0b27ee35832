namespace CommitLog.Replication.Protocol;

/// <summary>A follower's fetch (Kafka Fetch from a replica): for each partition, where its log ends and in which epoch.</summary>
/// <param name="CorrelationId">Chosen by the follower; echoed in the response.</param>
/// <param name="ReplicaId">The fetching replica's node id.</param>
/// <param name="Partitions">The partitions it fetches.</param>
internal sealed record FetchRequest(int CorrelationId, int ReplicaId, IReadOnlyList<FetchPartitionRequest> Partitions)
    : ReplicationMessage(CorrelationId);

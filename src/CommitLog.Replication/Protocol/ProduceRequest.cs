namespace CommitLog.Replication.Protocol;

/// <summary>A producer's write to a partition leader.</summary>
/// <param name="CorrelationId">Chosen by the producer; echoed in the response.</param>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition index.</param>
/// <param name="Acks">1: answer after the leader's append; -1 (all): answer once every in-sync replica has the records.</param>
/// <param name="TimeoutMs">How long an <c>acks=all</c> write may wait for the in-sync replicas.</param>
/// <param name="Records">Encoded RecordBatch v2 batches (base offset 0).</param>
internal sealed record ProduceRequest(int CorrelationId, string Topic, int Partition, short Acks, int TimeoutMs, ReadOnlyMemory<byte> Records)
    : ReplicationMessage(CorrelationId)
{
    /// <summary>The <see cref="Acks"/> value that waits for every in-sync replica.</summary>
    public const short AcksAll = -1;
}

namespace CommitLog.Replication.Protocol;

/// <summary>The leader's answer to a <see cref="ProduceRequest"/>.</summary>
/// <param name="CorrelationId">The request's correlation id.</param>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition index.</param>
/// <param name="Error">The error, or <see cref="ReplicationErrorCode.None"/> when the records are acknowledged.</param>
/// <param name="BaseOffset">The offset of the first record, or -1 on error.</param>
/// <param name="LogAppendTime">The broker time stamped on the records under LogAppendTime, else -1.</param>
/// <param name="LogStartOffset">The leader's log start offset, or -1 on error.</param>
internal sealed record ProduceResponse(
    int CorrelationId, string Topic, int Partition, ReplicationErrorCode Error, long BaseOffset, long LogAppendTime, long LogStartOffset)
    : ReplicationMessage(CorrelationId);

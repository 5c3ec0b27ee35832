namespace CommitLog.Replication.Replica;

/// <summary>An <c>acks=all</c> produce appended on the leader and waiting for the high watermark to pass it.</summary>
/// <param name="From">Who sent it.</param>
/// <param name="CorrelationId">The request's correlation id.</param>
/// <param name="BaseOffset">The first offset of the records.</param>
/// <param name="LastOffset">The last offset of the records.</param>
/// <param name="LogAppendTime">The append time stamped, or -1.</param>
/// <param name="DeadlineMs">When it times out.</param>
internal sealed record PendingProduce(int From, int CorrelationId, long BaseOffset, long LastOffset, long LogAppendTime, long DeadlineMs);

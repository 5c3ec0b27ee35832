using CommitLog.Storage;

namespace CommitLog.Replication.Replica;

/// <summary>
/// <see cref="IReplicaLog"/> over a <see cref="PartitionLog"/> opened with <see cref="LogOptions.ReplicatedHighWatermark"/>.
/// Appends that wait for a flush (<see cref="FlushPolicy.BeforeAck"/>) are waited for here, so the log end offset the
/// core reports to the leader is flushed: an acknowledged record is on the disk of every in-sync replica.
/// </summary>
internal sealed class PartitionLogReplica : IReplicaLog
{
    private readonly PartitionLog _log;

    public PartitionLogReplica(PartitionLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (!log.Options.ReplicatedHighWatermark)
        {
            throw new ArgumentException(
                $"The log '{log.Directory}' was opened without LogOptions.ReplicatedHighWatermark; a replica needs a high watermark separate from its log end.",
                nameof(log));
        }

        _log = log;
    }

    public PartitionLog Log => _log;

    public long LogStartOffset => _log.LogStartOffset;

    public long LogEndOffset => _log.LogEndOffset;

    public long HighWatermark => _log.HighWatermark;

    public IReadOnlyList<(int Epoch, long StartOffset)> LeaderEpochs => _log.GetLeaderEpochs();

    public (int Epoch, long EndOffset) EndOffsetForEpoch(int epoch) => _log.EndOffsetForEpoch(epoch);

    public void SetLeaderEpoch(int epoch) => _log.SetLeaderEpoch(epoch);

    public AppendResult Append(Memory<byte> batches) => Wait(_log.AppendAsync(batches));

    public void AppendAsFollower(Memory<byte> batches) => Wait(_log.AppendAsFollowerAsync(batches));

    public byte[] ReadToLogEnd(long offset, int maxBytes) => Read(offset, maxBytes, ReadLimit.LogEnd);

    public byte[] ReadCommitted(long offset, int maxBytes) => Read(offset, maxBytes, ReadLimit.HighWatermark);

    public void UpdateHighWatermark(long offset) => _log.UpdateHighWatermark(offset);

    public void TruncateTo(long offset) => _log.TruncateTo(offset);

    public void ResetTo(long offset) => _log.ResetTo(offset);

    private static AppendResult Wait(ValueTask<AppendResult> append)
        => append.IsCompletedSuccessfully ? append.Result : append.AsTask().GetAwaiter().GetResult();

    private byte[] Read(long offset, int maxBytes, ReadLimit limit)
    {
        using var result = _log.Read(offset, maxBytes, limit);
        return result.Records.ToArray();
    }
}

using CommitLog.Replication.Replica;
using CommitLog.Storage;

namespace CommitLog.Replication.Cluster;

/// <summary>
/// The replication core's view of one partition log of the node's <see cref="Broker"/>. The log is looked up on every
/// call, so a log the broker reopened (a config change) is followed. The core is synchronous: an append completes
/// before the call returns, waiting only when the topic's flush policy makes the log wait for the flush
/// (<see cref="FlushPolicy.BeforeAck"/>), so the log end the core reports to the leader is as durable as the policy says.
/// </summary>
internal sealed class BrokerReplicaLog : IReplicaLog
{
    private readonly Broker _broker;
    private readonly TopicPartition _partition;

    public BrokerReplicaLog(Broker broker, TopicPartition partition)
    {
        _broker = broker;
        _partition = partition;
    }

    public long LogStartOffset => Log.LogStartOffset;

    public long LogEndOffset => Log.LogEndOffset;

    public long HighWatermark => Log.HighWatermark;

    public IReadOnlyList<(int Epoch, long StartOffset)> LeaderEpochs => Log.GetLeaderEpochs();

    private PartitionLog Log => _broker.TryGetPartitionLog(_partition, out var log)
        ? log
        : throw new InvalidOperationException($"The broker has no log for {_partition.Topic}-{_partition.Partition.Value}.");

    public (int Epoch, long EndOffset) EndOffsetForEpoch(int epoch) => Log.EndOffsetForEpoch(epoch);

    public void SetLeaderEpoch(int epoch) => Log.SetLeaderEpoch(epoch);

    public AppendResult Append(Memory<byte> batches) => Wait(_broker.AppendAsync(_partition, batches, CancellationToken.None));

    public void AppendAsFollower(Memory<byte> batches) => Wait(Log.AppendAsFollowerAsync(batches, CancellationToken.None));

    public byte[] ReadToLogEnd(long offset, int maxBytes) => Read(offset, maxBytes, ReadLimit.LogEnd);

    public byte[] ReadCommitted(long offset, int maxBytes) => Read(offset, maxBytes, ReadLimit.HighWatermark);

    public void UpdateHighWatermark(long offset)
    {
        var log = Log;
        log.UpdateHighWatermark(Math.Min(offset, log.LogEndOffset));
    }

    public void TruncateTo(long offset) => Log.TruncateTo(offset);

    public void ResetTo(long offset) => Log.ResetTo(offset);

    private static AppendResult Wait(ValueTask<AppendResult> append)
        => append.IsCompletedSuccessfully ? append.Result : append.AsTask().GetAwaiter().GetResult();

    private byte[] Read(long offset, int maxBytes, ReadLimit limit)
    {
        using var result = Log.Read(offset, maxBytes, limit);
        return result.Records.ToArray();
    }
}

using System.Runtime.InteropServices;
using CommitLog.Storage;

namespace CommitLog.Replication.Replica;

/// <summary>
/// <see cref="IReplicaLog"/> over a <see cref="PartitionLog"/> opened with <see cref="LogOptions.ReplicatedHighWatermark"/>:
/// one fixed log (tests, the simulation), or whichever log a source returns on each call (a cluster node's broker,
/// which may reopen a partition's log on a config change). Appends that wait for a flush
/// (<see cref="FlushPolicy.BeforeAck"/>) are waited for here, so the log end offset the core reports to the leader is
/// flushed: an acknowledged record is on the disk of every in-sync replica.
/// </summary>
internal sealed class PartitionLogReplica : IReplicaLog
{
    private readonly Func<PartitionLog> _currentLog;
    private readonly Func<Memory<byte>, ValueTask<AppendResult>> _append;
    private readonly bool _followsSwaps;

    /// <summary>Wraps one log for its whole life.</summary>
    public PartitionLogReplica(PartitionLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (!log.Options.ReplicatedHighWatermark)
        {
            throw new ArgumentException(
                $"The log '{log.Directory}' was opened without LogOptions.ReplicatedHighWatermark; a replica needs a high watermark separate from its log end.",
                nameof(log));
        }

        _currentLog = () => log;
        _append = batches => log.AppendAsync(batches);
    }

    /// <summary>Looks the log up on every call, so a log reopened in place of another is followed.</summary>
    /// <param name="currentLog">Returns the partition's current log (or throws when there is none).</param>
    /// <param name="append">Appends a producer's batches to the current log, following a swap that happens meanwhile.</param>
    public PartitionLogReplica(Func<PartitionLog> currentLog, Func<Memory<byte>, ValueTask<AppendResult>> append)
    {
        ArgumentNullException.ThrowIfNull(currentLog);
        ArgumentNullException.ThrowIfNull(append);
        _currentLog = currentLog;
        _append = append;
        _followsSwaps = true;
    }

    /// <summary>Gets the current log.</summary>
    public PartitionLog Log => _currentLog();

    public long LogStartOffset => Log.LogStartOffset;

    public long LogEndOffset => Log.LogEndOffset;

    public long HighWatermark => Log.HighWatermark;

    public IReadOnlyList<(int Epoch, long StartOffset)> LeaderEpochs => Log.GetLeaderEpochs();

    public (int Epoch, long EndOffset) EndOffsetForEpoch(int epoch) => Log.EndOffsetForEpoch(epoch);

    public void SetLeaderEpoch(int epoch) => Log.SetLeaderEpoch(epoch);

    public AppendResult Append(Memory<byte> batches) => Wait(_append(batches));

    // The follower append only reads the batches (it validates them and writes them as they are).
    public void AppendAsFollower(ReadOnlyMemory<byte> batches)
        => Wait(Log.AppendAsFollowerAsync(MemoryMarshal.AsMemory(batches), CancellationToken.None));

    public LogReadResult ReadToLogEnd(long offset, int maxBytes) => Log.Read(offset, maxBytes, ReadLimit.LogEnd);

    public byte[] ReadCommitted(long offset, int maxBytes)
    {
        using var result = Log.Read(offset, maxBytes, ReadLimit.HighWatermark);
        return result.Records.ToArray();
    }

    public void UpdateHighWatermark(long offset)
    {
        var log = Log;
        // A log reopened in place of another may end below what the core computed on the one it replaced.
        log.UpdateHighWatermark(_followsSwaps ? Math.Min(offset, log.LogEndOffset) : offset);
    }

    public void TruncateTo(long offset) => Log.TruncateTo(offset);

    public void ResetTo(long offset) => Log.ResetTo(offset);

    private static AppendResult Wait(ValueTask<AppendResult> append)
        => append.IsCompletedSuccessfully ? append.Result : append.AsTask().GetAwaiter().GetResult();
}

using CommitLog.Storage;

namespace CommitLog.Replication.Replica;

/// <summary>
/// What the replication core needs from one partition's log. Every call completes before it returns (the core has no
/// tasks): an implementation over <see cref="PartitionLog"/> runs with a flush policy whose appends complete
/// synchronously or waits for the flush, so that a log end offset the core reports is as durable as the log makes it.
/// </summary>
internal interface IReplicaLog
{
    /// <summary>Gets the first offset in the log.</summary>
    long LogStartOffset { get; }

    /// <summary>Gets the offset the next record gets.</summary>
    long LogEndOffset { get; }

    /// <summary>Gets the high watermark: consumers read below it.</summary>
    long HighWatermark { get; }

    /// <summary>Gets the leader-epoch cache: each epoch and the first offset written in it, oldest first.</summary>
    IReadOnlyList<(int Epoch, long StartOffset)> LeaderEpochs { get; }

    /// <summary>The largest epoch at most <paramref name="epoch"/> and where it ends, or (-1, -1) (KIP-101).</summary>
    (int Epoch, long EndOffset) EndOffsetForEpoch(int epoch);

    /// <summary>Starts a leader epoch at the log end (this replica became leader).</summary>
    void SetLeaderEpoch(int epoch);

    /// <summary>Appends a producer's batches as leader (offsets and epoch assigned; idempotent duplicates detected).</summary>
    AppendResult Append(Memory<byte> batches);

    /// <summary>Appends batches copied from the leader as they are; <paramref name="batches"/> is only read.</summary>
    void AppendAsFollower(ReadOnlyMemory<byte> batches);

    /// <summary>
    /// Reads whole batches from <paramref name="offset"/> up to the log end (for followers), into a pooled buffer that
    /// the result owns: whoever sends the records disposes the result once they are written; a result that is never
    /// disposed is reclaimed by the garbage collector.
    /// </summary>
    LogReadResult ReadToLogEnd(long offset, int maxBytes);

    /// <summary>Reads whole batches from <paramref name="offset"/> below the high watermark (for consumers).</summary>
    byte[] ReadCommitted(long offset, int maxBytes);

    /// <summary>Moves the high watermark forward (ignored when lower than the current one).</summary>
    void UpdateHighWatermark(long offset);

    /// <summary>Removes every record at or above <paramref name="offset"/>.</summary>
    void TruncateTo(long offset);

    /// <summary>Empties the log and restarts it at <paramref name="offset"/>.</summary>
    void ResetTo(long offset);
}

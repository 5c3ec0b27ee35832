namespace CommitLog.Replication.Protocol;

/// <summary>One partition of a <see cref="FetchResponse"/>.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition index.</param>
/// <param name="Error">The partition's error, or <see cref="ReplicationErrorCode.None"/>.</param>
/// <param name="HighWatermark">The leader's high watermark.</param>
/// <param name="LogStartOffset">The leader's log start offset.</param>
/// <param name="DivergingEpoch">When the follower's log diverges: the largest leader epoch at most the follower's last
/// fetched epoch, else -1 (with <paramref name="DivergingEndOffset"/> -1 too when there is no divergence).</param>
/// <param name="DivergingEndOffset">Where <paramref name="DivergingEpoch"/> ends on the leader, or -1 when there is no divergence.</param>
/// <param name="Records">Whole record batches from the fetch offset (empty on error or divergence).</param>
/// <param name="RecordsOwner">On the leader: the pooled read that <paramref name="Records"/> lives in, released by
/// <see cref="ReleaseRecords"/> once the answer is encoded; null when nothing is pooled (a decoded answer, an error).</param>
internal sealed record FetchPartitionResponse(
    string Topic,
    int Partition,
    ReplicationErrorCode Error,
    long HighWatermark,
    long LogStartOffset,
    int DivergingEpoch,
    long DivergingEndOffset,
    ReadOnlyMemory<byte> Records,
    IDisposable? RecordsOwner = null)
{
    /// <summary>Gets a value indicating whether the leader reported a diverging epoch.</summary>
    public bool IsDiverging => DivergingEndOffset >= 0;

    /// <summary>
    /// Returns the pooled buffer behind <see cref="Records"/>. Only the node that sends the answer calls it, after
    /// encoding it; <see cref="Records"/> must not be read afterwards. An answer never released (one handed to another
    /// node's core as an object, in tests and the simulation) leaves its buffer to the garbage collector.
    /// </summary>
    public void ReleaseRecords() => RecordsOwner?.Dispose();
}

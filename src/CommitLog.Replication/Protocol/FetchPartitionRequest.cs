namespace CommitLog.Replication.Protocol;

/// <summary>One partition of a <see cref="FetchRequest"/>.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition index.</param>
/// <param name="CurrentLeaderEpoch">The leader epoch the follower believes current (fences stale leaders and followers).</param>
/// <param name="FetchOffset">The follower's log end offset: the first offset it wants.</param>
/// <param name="LastFetchedEpoch">The epoch of the follower's last batch, or -1 if its log is empty (KIP-320 divergence check).</param>
/// <param name="LogStartOffset">The follower's log start offset.</param>
/// <param name="MaxBytes">The most record bytes to return (at least one whole batch is returned).</param>
internal sealed record FetchPartitionRequest(
    string Topic, int Partition, int CurrentLeaderEpoch, long FetchOffset, int LastFetchedEpoch, long LogStartOffset, int MaxBytes);

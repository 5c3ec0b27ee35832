namespace CommitLog.Replication.Replica;

/// <summary>A leader's view of one follower (Kafka's replica state): where its log ends and when it last caught up.</summary>
internal sealed class FollowerProgress
{
    /// <summary>Gets or sets the follower's log end offset as its last valid fetch reported, or -1 until it fetched in this epoch.</summary>
    public long LogEndOffset { get; set; } = -1;

    /// <summary>Gets or sets when the follower last fetched up to the leader's log end (or to where it was at its previous fetch).</summary>
    public long LastCaughtUpMs { get; set; }

    /// <summary>Gets or sets when the follower last fetched.</summary>
    public long LastFetchMs { get; set; } = -1;

    /// <summary>Gets or sets the leader's log end offset at the follower's last fetch.</summary>
    public long LeaderEndAtLastFetch { get; set; } = -1;
}

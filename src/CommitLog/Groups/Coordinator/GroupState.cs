namespace CommitLog.Groups.Coordinator;

/// <summary>The states of a classic consumer group (Kafka's <c>GroupState</c>).</summary>
internal enum GroupState
{
    /// <summary>No members; the group may still have committed offsets.</summary>
    Empty,

    /// <summary>A rebalance started: the coordinator waits for the members to (re)join.</summary>
    PreparingRebalance,

    /// <summary>Every member joined; the coordinator waits for the leader's assignment in SyncGroup.</summary>
    CompletingRebalance,

    /// <summary>The assignment is distributed; members heartbeat.</summary>
    Stable,

    /// <summary>The group was deleted.</summary>
    Dead,
}

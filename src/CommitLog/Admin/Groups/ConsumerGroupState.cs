namespace CommitLog;

/// <summary>The state of a consumer group, as Kafka reports it.</summary>
public enum ConsumerGroupState
{
    /// <summary>The state is not known.</summary>
    Unknown = 0,

    /// <summary>Members are (re)joining: a rebalance started.</summary>
    PreparingRebalance = 1,

    /// <summary>Every member rejoined; the group waits for the leader's assignment.</summary>
    CompletingRebalance = 2,

    /// <summary>Members have their assignment and consume.</summary>
    Stable = 3,

    /// <summary>The group has no members and no committed offsets, or is being deleted.</summary>
    Dead = 4,

    /// <summary>The group has no active members but may have committed offsets.</summary>
    Empty = 5,
}

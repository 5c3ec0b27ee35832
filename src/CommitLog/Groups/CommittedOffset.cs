namespace CommitLog.Groups;

/// <summary>An offset a group committed for one partition.</summary>
/// <param name="Offset">The next offset to consume.</param>
/// <param name="LeaderEpoch">The leader epoch stored with it, or -1.</param>
/// <param name="Metadata">The metadata stored with it, or <see langword="null"/>.</param>
/// <param name="CommitTimestamp">When it was committed, in Unix milliseconds.</param>
internal readonly record struct CommittedOffset(long Offset, int LeaderEpoch, string? Metadata, long CommitTimestamp);

namespace CommitLog.Groups;

/// <summary>One partition's offset to commit: the offset of the next record to consume (as in Kafka), the leader epoch
/// of the last consumed record (-1 if unknown) and optional metadata.</summary>
/// <param name="TopicPartition">The partition.</param>
/// <param name="Offset">The next offset to consume; 0 to the log end offset.</param>
/// <param name="LeaderEpoch">The leader epoch of the last consumed record, or -1.</param>
/// <param name="Metadata">Free text stored with the offset, or <see langword="null"/>.</param>
internal readonly record struct OffsetCommit(TopicPartition TopicPartition, long Offset, int LeaderEpoch = -1, string? Metadata = null);

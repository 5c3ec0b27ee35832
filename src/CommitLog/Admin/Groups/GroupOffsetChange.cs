namespace CommitLog;

/// <summary>One partition of an offset reset: where the group was and where the reset puts it.</summary>
/// <param name="TopicPartition">The partition.</param>
/// <param name="CurrentOffset">The committed offset before the reset, or <see langword="null"/> if none.</param>
/// <param name="NewOffset">The offset after the reset.</param>
public sealed record GroupOffsetChange(TopicPartition TopicPartition, long? CurrentOffset, long NewOffset);

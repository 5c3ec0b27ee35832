namespace CommitLog.Storage;

/// <summary>
/// What happens to a log's old records (Kafka's <c>cleanup.policy</c>): whole segments deleted by time and size
/// retention, records compacted by key, or both.
/// </summary>
[Flags]
public enum LogCleanupPolicy
{
    /// <summary><c>delete</c>: sealed segments are deleted once past <see cref="LogOptions.RetentionMs"/> or
    /// <see cref="LogOptions.RetentionBytes"/> (the default).</summary>
    Delete = 1,

    /// <summary><c>compact</c>: the cleaner keeps only the latest record per key; every record needs a key.</summary>
    Compact = 2,
}

namespace CommitLog;

/// <summary>What happens to old records of a topic (<c>cleanup.policy</c>): deleted by retention, compacted by key, or both.</summary>
[Flags]
public enum CleanupPolicy
{
    /// <summary><c>delete</c>: whole segments are deleted once past <c>retention.ms</c> or <c>retention.bytes</c> (the default).</summary>
    Delete = 1,

    /// <summary><c>compact</c>: only the latest record per key is kept.</summary>
    Compact = 2,
}

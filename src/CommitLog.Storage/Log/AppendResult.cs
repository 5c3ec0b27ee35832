namespace CommitLog.Storage;

/// <summary>The outcome of a successful append.</summary>
/// <param name="FirstOffset">The offset assigned to the first record.</param>
/// <param name="LastOffset">The offset assigned to the last record.</param>
/// <param name="LogAppendTime">The append time in Unix milliseconds when the log uses LogAppendTime, otherwise -1.</param>
/// <param name="Durability">The durability level the records reached before the append completed.</param>
public readonly record struct AppendResult(long FirstOffset, long LastOffset, long LogAppendTime, Durability Durability)
{
    /// <summary>
    /// Gets a value indicating whether the append was a retry of an idempotent batch the log already held: nothing was
    /// appended, and the offsets (and the append time under LogAppendTime) are those of the original append.
    /// </summary>
    public bool IsDuplicate { get; init; }
}

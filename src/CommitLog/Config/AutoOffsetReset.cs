namespace CommitLog;

/// <summary>Where a consumer starts when its group has no committed offset, or the offset is out of range
/// (<c>auto.offset.reset</c>).</summary>
public enum AutoOffsetReset
{
    /// <summary><c>latest</c>: at the end, reading only new records (the default).</summary>
    Latest = 0,

    /// <summary><c>earliest</c>: at the log start offset, reading everything still held.</summary>
    Earliest = 1,

    /// <summary><c>error</c> (Kafka's <c>none</c>): fail the consume with an error.</summary>
    Error = 2,
}

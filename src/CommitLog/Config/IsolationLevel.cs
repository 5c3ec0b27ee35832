namespace CommitLog;

/// <summary>Which records of transactions a consumer sees (<c>isolation.level</c>).</summary>
public enum IsolationLevel
{
    /// <summary><c>read_uncommitted</c>: every record up to the high watermark (the default, as in Kafka's Java consumer).</summary>
    ReadUncommitted = 0,

    /// <summary><c>read_committed</c>: only records of committed transactions, up to the last stable offset.</summary>
    ReadCommitted = 1,
}

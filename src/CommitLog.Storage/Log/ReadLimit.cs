namespace CommitLog.Storage;

/// <summary>How far a read of a <see cref="PartitionLog"/> may go.</summary>
public enum ReadLimit
{
    /// <summary>Up to the high watermark: what consumers may see (the records every in-sync replica has).</summary>
    HighWatermark,

    /// <summary>Up to the log end offset: what a follower replica copies.</summary>
    LogEnd,
}

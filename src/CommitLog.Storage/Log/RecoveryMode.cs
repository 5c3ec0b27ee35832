namespace CommitLog.Storage;

/// <summary>What recovery does when it finds damage in data that was already flushed.</summary>
public enum RecoveryMode
{
    /// <summary>
    /// Fail closed: opening throws <see cref="CorruptRecordException"/> naming the file and byte position. Only the
    /// torn tail of unflushed writes is truncated. The default.
    /// </summary>
    Strict = 0,

    /// <summary>
    /// Salvage: truncate the log at the first damaged batch, even below the recovery point, and log a warning with
    /// the number of bytes removed. Use only to rescue what is left of a damaged log.
    /// </summary>
    Salvage = 1,
}

namespace CommitLog.Storage;

/// <summary>
/// The storage under a log failed (Kafka KAFKA_STORAGE_ERROR). After a failed flush the log is fail-stopped:
/// every pending and later append fails with this exception while reads keep working; reopen the log to recover.
/// A failed write that the log could roll back (for example ENOSPC) fails only the append that hit it.
/// </summary>
public sealed class LogStorageException : CommitLogException
{
    internal LogStorageException(string message, Exception? innerException = null, bool isFailStopped = false)
        : base(ErrorCode.KafkaStorageError, message, innerException)
    {
        IsFailStopped = isFailStopped;
    }

    /// <summary>Gets a value indicating whether the log stopped accepting writes until it is reopened.</summary>
    public bool IsFailStopped { get; }

    /// <inheritdoc />
    public override bool IsRetriable => !IsFailStopped;
}

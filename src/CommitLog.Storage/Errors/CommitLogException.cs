namespace CommitLog.Storage;

/// <summary>
/// The base of every exception CommitLog throws for a condition of the log (as opposed to argument validation,
/// which uses the standard <see cref="ArgumentException"/> family).
/// </summary>
public class CommitLogException : Exception
{
    internal CommitLogException(ErrorCode errorCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    /// <summary>Gets the Kafka-compatible error code of this failure.</summary>
    public ErrorCode ErrorCode { get; }

    /// <summary>Gets a value indicating whether retrying the same operation may succeed.</summary>
    public virtual bool IsRetriable => false;

    /// <summary>Gets the partition directory the error concerns, when known.</summary>
    public string? LogDirectory { get; init; }
}

namespace CommitLog.Storage;

/// <summary>
/// A record batch failed validation: bad CRC-32C, magic byte, length or offsets. Thrown when bad input is offered
/// to the log, when a read finds damaged data, and when recovery finds damage in data that was already flushed.
/// </summary>
public sealed class CorruptRecordException : CommitLogException
{
    internal CorruptRecordException(string message, string? file = null, long position = -1, Exception? innerException = null)
        : base(ErrorCode.CorruptMessage, message, innerException)
    {
        File = file;
        Position = position;
    }

    /// <summary>Gets the segment file that holds the damaged bytes, or <see langword="null"/> for bad input.</summary>
    public string? File { get; }

    /// <summary>Gets the byte position of the damaged batch in <see cref="File"/>, or -1 when not from a file.</summary>
    public long Position { get; }
}

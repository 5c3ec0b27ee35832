namespace CommitLog.Storage;

/// <summary>An offset outside <c>[LogStartOffset, LogEndOffset]</c> was requested.</summary>
public sealed class OffsetOutOfRangeException : CommitLogException
{
    internal OffsetOutOfRangeException(long offset, long logStartOffset, long logEndOffset, string? logDirectory = null)
        : base(ErrorCode.OffsetOutOfRange,
            $"Offset {offset} is out of range: the log holds offsets from {logStartOffset} (log start) up to {logEndOffset} (log end, exclusive).")
    {
        Offset = offset;
        LogStartOffset = logStartOffset;
        LogEndOffset = logEndOffset;
        LogDirectory = logDirectory;
    }

    /// <summary>Gets the offset that was requested.</summary>
    public long Offset { get; }

    /// <summary>Gets the log start offset at the time of the request.</summary>
    public long LogStartOffset { get; }

    /// <summary>Gets the log end offset at the time of the request.</summary>
    public long LogEndOffset { get; }
}

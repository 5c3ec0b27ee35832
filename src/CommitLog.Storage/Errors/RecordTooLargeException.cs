namespace CommitLog.Storage;

/// <summary>A batch larger than the log's <c>max.message.bytes</c> was offered.</summary>
public sealed class RecordTooLargeException : CommitLogException
{
    internal RecordTooLargeException(long size, long maxMessageBytes)
        : base(ErrorCode.MessageTooLarge,
            $"The record batch is {size} bytes, larger than max.message.bytes ({maxMessageBytes} bytes). Send smaller batches or raise max.message.bytes.")
    {
        Size = size;
        MaxMessageBytes = maxMessageBytes;
    }

    /// <summary>Gets the size of the rejected batch in bytes.</summary>
    public long Size { get; }

    /// <summary>Gets the configured limit in bytes.</summary>
    public long MaxMessageBytes { get; }
}

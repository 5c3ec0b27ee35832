namespace CommitLog;

/// <summary>
/// A send waited <c>max.block.ms</c> for buffer space and none became free: the producer holds <c>buffer.memory</c>
/// bytes of records the log has not appended yet (Kafka's <c>BufferExhaustedException</c>, a timeout). Slow down, raise
/// <c>buffer.memory</c> or <c>max.block.ms</c>, or find out why the log is slow.
/// </summary>
public sealed class BufferExhaustedException : TimeoutException
{
    internal BufferExhaustedException(int recordBytes, long bufferMemory, TimeSpan maxBlock)
        : base($"Could not queue a record of {recordBytes} bytes within max.block.ms ({maxBlock.TotalMilliseconds} ms): the producer's " +
            $"buffer.memory ({bufferMemory} bytes) is full of records the log has not appended yet.")
    {
        RecordBytes = recordBytes;
        BufferMemory = bufferMemory;
        MaxBlock = maxBlock;
    }

    /// <summary>Gets the size of the record that could not be queued, in bytes.</summary>
    public int RecordBytes { get; }

    /// <summary>Gets the configured <c>buffer.memory</c> in bytes.</summary>
    public long BufferMemory { get; }

    /// <summary>Gets the configured <c>max.block.ms</c>.</summary>
    public TimeSpan MaxBlock { get; }
}

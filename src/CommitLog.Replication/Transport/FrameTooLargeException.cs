namespace CommitLog.Replication.Transport;

/// <summary>A frame was larger than the transport's max frame size; the connection was closed.</summary>
public sealed class FrameTooLargeException : TransportException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="size">The frame's payload size in bytes.</param>
    /// <param name="maxFrameBytes">The largest payload allowed.</param>
    public FrameTooLargeException(long size, int maxFrameBytes)
        : base($"Frame payload of {size} bytes exceeds the max frame size of {maxFrameBytes} bytes; the connection is closed.")
    {
        Size = size;
        MaxFrameBytes = maxFrameBytes;
    }

    /// <summary>Creates the exception.</summary>
    public FrameTooLargeException() : base("Frame exceeds the max frame size.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public FrameTooLargeException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public FrameTooLargeException(string message, Exception? innerException) : base(message, innerException)
    {
    }

    /// <summary>The frame's payload size in bytes.</summary>
    public long Size { get; }

    /// <summary>The largest payload allowed.</summary>
    public int MaxFrameBytes { get; }
}

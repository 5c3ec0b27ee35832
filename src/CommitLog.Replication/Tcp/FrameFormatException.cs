namespace CommitLog.Replication.Tcp;

/// <summary>Bytes on the wire that are not a valid frame; the connection is closed.</summary>
internal sealed class FrameFormatException : Exception
{
    public FrameFormatException(string reason, string message) : base(message)
    {
        Reason = reason;
    }

    /// <summary>Short metric tag: length, checksum, truncated or type.</summary>
    public string Reason { get; }
}

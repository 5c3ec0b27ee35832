namespace CommitLog.Replication.Protocol;

/// <summary>A replication message could not be decoded: it is truncated, malformed, or exceeds a configured limit.</summary>
internal sealed class ProtocolFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong and what is allowed.</param>
    public ProtocolFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ProtocolFormatException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ProtocolFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

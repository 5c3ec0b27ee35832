namespace CommitLog.Replication.Transport;

/// <summary>The connection (or listener) is closed; the message says why.</summary>
public sealed class ConnectionClosedException : TransportException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Why the connection closed.</param>
    public ConnectionClosedException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">Why the connection closed.</param>
    /// <param name="innerException">The cause.</param>
    public ConnectionClosedException(string message, Exception? innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ConnectionClosedException() : base("The connection is closed.")
    {
    }
}

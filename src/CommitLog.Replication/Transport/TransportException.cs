namespace CommitLog.Replication.Transport;

/// <summary>A replication transport could not connect, send or receive.</summary>
public class TransportException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public TransportException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public TransportException(string message, Exception? innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public TransportException() : base("The replication transport failed.")
    {
    }
}

namespace CommitLog.Replication.Transport;

/// <summary>The peer did not prove it knows the cluster secret (or we did not convince it); no data was exchanged.</summary>
public sealed class AuthenticationFailedException : TransportException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Why authentication failed.</param>
    public AuthenticationFailedException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">Why authentication failed.</param>
    /// <param name="innerException">The cause.</param>
    public AuthenticationFailedException(string message, Exception? innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public AuthenticationFailedException() : base("Peer authentication failed.")
    {
    }
}

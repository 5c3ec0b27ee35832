namespace CommitLog.Replication.Transport;

/// <summary>
/// How replication nodes reach each other. A node listens on an address and dials peers by their address string;
/// the replication logic depends only on this interface, so a new transport (named pipes, QUIC, a message bus)
/// plugs in without changes elsewhere. See docs/replication-transport.md.
/// </summary>
public interface IReplicationTransport : IAsyncDisposable
{
    /// <summary>This node's identity, presented to peers.</summary>
    string NodeId { get; }

    /// <summary>The largest payload, in bytes, one frame may carry on this transport.</summary>
    int MaxFrameBytes { get; }

    /// <summary>Starts accepting connections from peers at <paramref name="address"/>.</summary>
    /// <param name="address">A transport-specific address (for TCP "host:port"; port 0 picks a free port).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The listener; its <see cref="IReplicationListener.Address"/> is the address peers dial.</returns>
    ValueTask<IReplicationListener> ListenAsync(string address, CancellationToken cancellationToken = default);

    /// <summary>Opens an authenticated connection to the peer listening at <paramref name="address"/>.</summary>
    /// <param name="address">The peer's listener address.</param>
    /// <param name="cancellationToken">Cancels the operation (including any retries).</param>
    /// <returns>An open connection.</returns>
    /// <exception cref="TransportException">The peer cannot be reached or refused us.</exception>
    ValueTask<IReplicationConnection> ConnectAsync(string address, CancellationToken cancellationToken = default);
}

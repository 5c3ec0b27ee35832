namespace CommitLog.Replication.Transport;

/// <summary>
/// An open, ordered, bidirectional stream of whole frames between two nodes. Sends may run concurrently with
/// receives; at most one receive at a time. Disposing it closes the connection for both sides.
/// </summary>
public interface IReplicationConnection : IAsyncDisposable
{
    /// <summary>The node id of the peer at the other end.</summary>
    string RemoteNodeId { get; }

    /// <summary>Why the connection closed, or null while it is open.</summary>
    string? CloseReason { get; }

    /// <summary>Sends one frame. The payload is copied or written before the call completes.</summary>
    /// <param name="type">The application frame type, 0 to <see cref="ReplicationFrame.MaxApplicationType"/>.</param>
    /// <param name="payload">The frame's bytes, at most the transport's max frame size.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes once the frame is handed to the transport.</returns>
    /// <exception cref="FrameTooLargeException">The payload is larger than allowed; the connection is closed.</exception>
    /// <exception cref="ConnectionClosedException">The connection is closed.</exception>
    ValueTask SendAsync(byte type, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);

    /// <summary>Waits for the next frame from the peer.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The next frame, in the order the peer sent it (unless a fault injector reorders it).</returns>
    /// <exception cref="ConnectionClosedException">The connection closed; <see cref="CloseReason"/> says why.</exception>
    ValueTask<ReplicationFrame> ReceiveAsync(CancellationToken cancellationToken = default);
}

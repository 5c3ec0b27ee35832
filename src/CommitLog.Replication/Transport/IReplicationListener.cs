namespace CommitLog.Replication.Transport;

/// <summary>Accepts connections that peers dialed to this node. Disposing it stops listening.</summary>
public interface IReplicationListener : IAsyncDisposable
{
    /// <summary>The address peers dial to reach this listener (with the real port when port 0 was asked for).</summary>
    string Address { get; }

    /// <summary>Waits for the next peer that connected and, where the transport authenticates, proved itself.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The accepted connection.</returns>
    /// <exception cref="ConnectionClosedException">The listener was disposed.</exception>
    ValueTask<IReplicationConnection> AcceptAsync(CancellationToken cancellationToken = default);
}

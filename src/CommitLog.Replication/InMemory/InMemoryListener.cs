using System.Threading.Channels;
using CommitLog.Replication.Transport;

namespace CommitLog.Replication.InMemory;

/// <summary>A node's listening address on an <see cref="InMemoryNetwork"/>.</summary>
internal sealed class InMemoryListener : IReplicationListener
{
    private readonly InMemoryNetwork _network;
    private readonly Channel<IReplicationConnection> _pending = Channel.CreateUnbounded<IReplicationConnection>();

    public InMemoryListener(InMemoryNetwork network, string nodeId, string address)
    {
        _network = network;
        NodeId = nodeId;
        Address = address;
    }

    public string NodeId { get; }

    public string Address { get; }

    public async ValueTask<IReplicationConnection> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _pending.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ConnectionClosedException($"The listener at '{Address}' is closed.");
        }
    }

    public ValueTask DisposeAsync()
    {
        _network.Unregister(Address, this);
        _pending.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    internal void Enqueue(IReplicationConnection connection)
    {
        if (!_pending.Writer.TryWrite(connection))
        {
            throw new TransportException($"No node listens at '{Address}' (connection refused).");
        }
    }
}

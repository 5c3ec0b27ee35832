using CommitLog.Replication.Transport;

namespace CommitLog.Replication.InMemory;

/// <summary>One node's view of an <see cref="InMemoryNetwork"/>; addresses are plain names on that network.</summary>
internal sealed class InMemoryTransport : IReplicationTransport
{
    private readonly InMemoryNetwork _network;

    public InMemoryTransport(InMemoryNetwork network, string nodeId)
    {
        _network = network;
        NodeId = nodeId;
    }

    public string NodeId { get; }

    public int MaxFrameBytes => _network.MaxFrameBytes;

    public ValueTask<IReplicationListener> ListenAsync(string address, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        cancellationToken.ThrowIfCancellationRequested();
        var listener = new InMemoryListener(_network, NodeId, address);
        _network.Register(address, listener);
        return ValueTask.FromResult<IReplicationListener>(listener);
    }

    public ValueTask<IReplicationConnection> ConnectAsync(string address, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_network.Connect(NodeId, address));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

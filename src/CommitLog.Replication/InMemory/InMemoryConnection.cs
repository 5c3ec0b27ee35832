using System.Threading.Channels;
using CommitLog.Replication.Transport;

namespace CommitLog.Replication.InMemory;

/// <summary>One end of an in-memory connection; frames go through the network's fault injection.</summary>
internal sealed class InMemoryConnection : IReplicationConnection
{
    private readonly InMemoryNetwork _network;
    private readonly Channel<ReplicationFrame> _inbox = Channel.CreateUnbounded<ReplicationFrame>(
        new UnboundedChannelOptions { SingleReader = true });

    private volatile string? _closeReason;

    public InMemoryConnection(InMemoryNetwork network, string localNodeId, string remoteNodeId)
    {
        _network = network;
        LocalNodeId = localNodeId;
        RemoteNodeId = remoteNodeId;
    }

    public string LocalNodeId { get; }

    public string RemoteNodeId { get; }

    public string? CloseReason => _closeReason;

    public InMemoryConnection? Peer { get; set; }

    public ValueTask SendAsync(byte type, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_closeReason is { } reason)
        {
            throw new ConnectionClosedException(reason);
        }

        try
        {
            ReplicationFrame.Validate(type, payload.Length, _network.MaxFrameBytes);
        }
        catch (FrameTooLargeException ex)
        {
            Close(ex.Message);
            throw;
        }

        _network.Send(this, new ReplicationFrame(type, payload.ToArray()));
        return ValueTask.CompletedTask;
    }

    public async ValueTask<ReplicationFrame> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inbox.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ConnectionClosedException(_closeReason ?? "The connection is closed.");
        }
    }

    public ValueTask DisposeAsync()
    {
        Close("Closed by the local node.");
        return ValueTask.CompletedTask;
    }

    /// <summary>Takes a frame that has already arrived, without waiting (for deterministic tests).</summary>
    internal bool TryReceive(out ReplicationFrame frame) => _inbox.Reader.TryRead(out frame);

    internal void Deliver(ReplicationFrame frame) => _inbox.Writer.TryWrite(frame);

    private void Close(string reason)
    {
        CloseOne(reason);
        Peer?.CloseOne($"Closed by the peer: {reason}");
    }

    private void CloseOne(string reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is null)
        {
            _inbox.Writer.TryComplete();
        }
    }
}

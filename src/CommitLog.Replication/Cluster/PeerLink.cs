using System.Threading.Channels;
using CommitLog.Replication.Protocol;
using CommitLog.Replication.Transport;

namespace CommitLog.Replication.Cluster;

/// <summary>
/// One open connection to a peer node: frames to send go through a bounded queue drained by one writer (a connection
/// takes one send at a time), and one reader hands every received frame to the node, always draining, so the
/// transport's dead-peer check keeps seeing traffic. <see cref="Completion"/> ends when either side stops.
/// </summary>
internal sealed class PeerLink : IAsyncDisposable
{
    /// <summary>The frame type that carries a replication protocol message.</summary>
    public const byte MessageFrame = 1;

    private const int QueueCapacity = 1024;
    private readonly IReplicationConnection _connection;
    private readonly Channel<Outgoing> _outgoing = Channel.CreateBounded<Outgoing>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;
    private readonly Task _reader;
    private int _disposed;

    public PeerLink(int remoteNodeId, IReplicationConnection connection, Func<PeerLink, ReplicationFrame, ValueTask> onFrame)
    {
        RemoteNodeId = remoteNodeId;
        _connection = connection;
        _writer = Task.Run(WriteLoopAsync);
        _reader = Task.Run(() => ReadLoopAsync(onFrame));
        Completion = Task.WhenAny(_writer, _reader).Unwrap();
    }

    public int RemoteNodeId { get; }

    /// <summary>Gets a task that completes when the link stopped (closed connection, failed send or read).</summary>
    public Task Completion { get; }

    /// <summary>Gets why the connection closed, when it did.</summary>
    public string? CloseReason => _connection.CloseReason;

    /// <summary>Queues a frame; false when the link is closed or its queue is full (the frame is dropped: the protocol
    /// tolerates lost messages, followers re-fetch and producers time out and retry).</summary>
    public bool TrySend(byte[] payload) => _outgoing.Writer.TryWrite(new Outgoing(payload, null));

    /// <summary>Queues a frame in a pooled array that the link returns to the pool once it is sent or dropped; false
    /// when the link is closed or its queue is full (the array is returned at once).</summary>
    public bool TrySend(PooledPayload payload)
    {
        if (_outgoing.Writer.TryWrite(new Outgoing(payload.Memory, payload)))
        {
            return true;
        }

        payload.Return();
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return; // the dial loop and the host's shutdown may both dispose a link
        }

        _outgoing.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_writer, _reader).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TransportException or Protocol.ProtocolFormatException)
        {
            // Stopping, or the peer sent a malformed message (the node logged it and dropped the connection): either way
            // the link is done, and its owner (the accept loop, replacing it with the peer's next connection) carries on.
        }

        _stop.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (await _outgoing.Reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                while (_outgoing.Reader.TryRead(out var payload))
                {
                    try
                    {
                        await _connection.SendAsync(MessageFrame, payload.Payload, _stop.Token).ConfigureAwait(false);
                    }
                    finally
                    {
                        payload.Rented?.Return(); // the connection copied or wrote the payload before its send completed
                    }
                }
            }
        }
        finally
        {
            _outgoing.Writer.TryComplete();
            while (_outgoing.Reader.TryRead(out var dropped))
            {
                dropped.Rented?.Return();
            }
        }
    }

    private async Task ReadLoopAsync(Func<PeerLink, ReplicationFrame, ValueTask> onFrame)
    {
        try
        {
            while (true)
            {
                var frame = await _connection.ReceiveAsync(_stop.Token).ConfigureAwait(false);
                await onFrame(this, frame).ConfigureAwait(false);
            }
        }
        finally
        {
            _outgoing.Writer.TryComplete();
        }
    }

    /// <summary>A frame waiting to be sent, and the pooled array it lives in, if any (returned after the send).</summary>
    private readonly record struct Outgoing(ReadOnlyMemory<byte> Payload, PooledPayload? Rented);
}

using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using CommitLog.Replication.Transport;
using Microsoft.Extensions.Logging;

namespace CommitLog.Replication.Tcp;

/// <summary>An authenticated TCP connection: a read loop, a keep-alive loop and serialized sends.</summary>
internal sealed partial class TcpConnection : IReplicationConnection
{
    private readonly Socket _socket;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly TcpTransportOptions _options;
    private readonly TimeProvider _time;
    private readonly TransportMetrics _metrics;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<ReplicationFrame> _inbox = Channel.CreateBounded<ReplicationFrame>(
        new BoundedChannelOptions(64) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    private Task _readLoop = Task.CompletedTask;
    private Task _keepAliveLoop = Task.CompletedTask;
    private long _lastReceived;
    private long _lastSent;
    private string? _closeReason;
    private int _disposed;
    private int _pingInFlight;

    private TcpConnection(
        Socket socket, PipeReader reader, PipeWriter writer, string remoteNodeId,
        TcpTransportOptions options, TransportMetrics metrics, ILogger logger)
    {
        _socket = socket;
        _reader = reader;
        _writer = writer;
        RemoteNodeId = remoteNodeId;
        _options = options;
        _time = options.TimeProvider ?? TimeProvider.System;
        _metrics = metrics;
        _logger = logger;
        _lastReceived = _lastSent = _time.GetTimestamp();
    }

    public string RemoteNodeId { get; }

    public string? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>Authenticates a connected socket; disposes it and throws when the peer is refused.</summary>
    public static async Task<TcpConnection> EstablishAsync(
        Socket socket, bool isDialer, TcpTransportOptions options, TransportMetrics metrics, ILogger logger,
        CancellationToken cancellationToken)
    {
        socket.NoDelay = true;
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        string remote = socket.RemoteEndPoint?.ToString() ?? "?";
        using var timeout = new CancellationTokenSource(options.HandshakeTimeout, options.TimeProvider ?? TimeProvider.System);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            if (options.Tls is { } tls)
            {
                stream = await TcpTls.AuthenticateAsync(stream, isDialer, tls, linked.Token).ConfigureAwait(false);
            }

            PipeReader reader = PipeReader.Create(stream);
            PipeWriter writer = PipeWriter.Create(stream);
            string peerId = await TcpHandshake.RunAsync(reader, writer, isDialer, options.NodeId, options.ClusterSecret, linked.Token)
                .ConfigureAwait(false);
            var connection = new TcpConnection(socket, reader, writer, peerId, options, metrics, logger);
            connection.Start();
            LogAuthenticated(logger, peerId, remote);
            return connection;
        }
        catch (Exception ex) when (ex is AuthenticationFailedException || (ex is OperationCanceledException && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
        {
            AuthenticationFailedException refusal = ex as AuthenticationFailedException
                ?? new AuthenticationFailedException($"Handshake with {remote} timed out after {options.HandshakeTimeout}.", ex);
            metrics.AuthFailure();
            LogRefused(logger, remote, refusal.Message);
            await stream.DisposeAsync().ConfigureAwait(false);
            throw refusal;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask SendAsync(byte type, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        try
        {
            ReplicationFrame.Validate(type, payload.Length, _options.MaxFrameBytes);
        }
        catch (FrameTooLargeException ex)
        {
            Close(ex.Message);
            throw;
        }

        await SendFrameAsync(type, payload, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ReplicationFrame> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inbox.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ConnectionClosedException(CloseReason ?? "The connection is closed.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close("Closed by the local node.");
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await Task.WhenAll(_readLoop, _keepAliveLoop).ConfigureAwait(false);
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await _reader.CompleteAsync().ConfigureAwait(false);
            await _writer.CompleteAsync().ConfigureAwait(false); // may try to flush to the closed socket
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // The socket is already closed; nothing left to release.
        }

        _stop.Dispose();
    }

    private void Start()
    {
        _readLoop = Task.Run(ReadLoopAsync);
        if (_options.KeepAliveInterval != Timeout.InfiniteTimeSpan || _options.DeadPeerTimeout != Timeout.InfiniteTimeSpan)
        {
            _keepAliveLoop = Task.Run(KeepAliveLoopAsync);
        }
    }

    private async ValueTask SendFrameAsync(byte type, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosed();
            FrameCodec.Write(_writer, type, payload.Span);
            FlushResult flushed = await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flushed.IsCompleted)
            {
                Close("The peer stopped reading.");
                ThrowIfClosed();
            }

            Volatile.Write(ref _lastSent, _time.GetTimestamp());
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            Close($"Send failed: {ex.Message}");
            throw new ConnectionClosedException(CloseReason!, ex);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                (byte Type, byte[] Payload)? frame = await FrameCodec.ReadAsync(_reader, _options.MaxFrameBytes, _stop.Token)
                    .ConfigureAwait(false);
                if (frame is not { } f)
                {
                    Close("Closed by the peer.");
                    return;
                }

                Volatile.Write(ref _lastReceived, _time.GetTimestamp());
                if (f.Type == FrameCodec.Ping)
                {
                    continue;
                }

                if (f.Type > ReplicationFrame.MaxApplicationType)
                {
                    throw new FrameFormatException("type", $"Unexpected frame type 0x{f.Type:X2} after the handshake.");
                }

                await _inbox.Writer.WriteAsync(new ReplicationFrame(f.Type, f.Payload), _stop.Token).ConfigureAwait(false);
            }
        }
        catch (FrameFormatException ex)
        {
            _metrics.InvalidFrame(ex.Reason);
            LogInvalidFrame(_logger, RemoteNodeId, ex.Message);
            Close($"Invalid frame from the peer: {ex.Message}");
        }
        catch (OperationCanceledException)
        {
            Close("Closed by the local node.");
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            Close($"Connection lost: {ex.Message}");
        }
    }

    private async Task KeepAliveLoopAsync()
    {
        TimeSpan shortest = _options.KeepAliveInterval == Timeout.InfiniteTimeSpan ? _options.DeadPeerTimeout
            : _options.DeadPeerTimeout == Timeout.InfiniteTimeSpan ? _options.KeepAliveInterval
            : TimeSpan.FromTicks(Math.Min(_options.KeepAliveInterval.Ticks, _options.DeadPeerTimeout.Ticks));
        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Max(shortest.Ticks / 4, TimeSpan.TicksPerMillisecond)), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                TimeSpan silent = _time.GetElapsedTime(Volatile.Read(ref _lastReceived));
                if (_options.DeadPeerTimeout != Timeout.InfiniteTimeSpan && silent >= _options.DeadPeerTimeout)
                {
                    _metrics.DeadPeer();
                    LogDeadPeer(_logger, RemoteNodeId, silent);
                    Close($"Dead peer: nothing received for {silent} (timeout {_options.DeadPeerTimeout}).");
                    return;
                }

                // The ping is not awaited: against a stalled peer a send can block on a full socket buffer, and
                // this loop must keep checking the dead-peer timeout.
                if (_options.KeepAliveInterval != Timeout.InfiniteTimeSpan
                    && _time.GetElapsedTime(Volatile.Read(ref _lastSent)) >= _options.KeepAliveInterval
                    && Interlocked.CompareExchange(ref _pingInFlight, 1, 0) == 0)
                {
                    _ = PingAsync();
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or TransportException)
        {
            // Closed; the reason is already recorded.
        }
    }

    private async Task PingAsync()
    {
        try
        {
            await SendFrameAsync(FrameCodec.Ping, ReadOnlyMemory<byte>.Empty, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TransportException or ObjectDisposedException)
        {
            // Closed; the reason is already recorded.
        }
        finally
        {
            Volatile.Write(ref _pingInFlight, 0);
        }
    }

    private void ThrowIfClosed()
    {
        if (CloseReason is { } reason)
        {
            throw new ConnectionClosedException(reason);
        }
    }

    private void Close(string reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null)
        {
            return;
        }

        LogClosed(_logger, RemoteNodeId, reason);
        _inbox.Writer.TryComplete();
        _stop.Cancel();
        _reader.CancelPendingRead();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }

        _socket.Dispose();
    }
}

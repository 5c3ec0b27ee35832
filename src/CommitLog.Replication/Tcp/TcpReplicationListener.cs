using System.Net.Sockets;
using System.Threading.Channels;
using CommitLog.Replication.Transport;
using Microsoft.Extensions.Logging;

namespace CommitLog.Replication.Tcp;

/// <summary>Accepts sockets in the background, authenticates each one, and queues the peers that passed.</summary>
internal sealed class TcpReplicationListener : IReplicationListener
{
    private readonly Socket _socket;
    private readonly TcpTransportOptions _options;
    private readonly TransportMetrics _metrics;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<TcpConnection> _accepted = Channel.CreateBounded<TcpConnection>(64);
    private readonly Task _acceptLoop;
    private int _disposed;

    public TcpReplicationListener(Socket socket, TcpTransportOptions options, TransportMetrics metrics, ILogger logger)
    {
        _socket = socket;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        Address = socket.LocalEndPoint!.ToString()!;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public string Address { get; }

    public async ValueTask<IReplicationConnection> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _accepted.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ConnectionClosedException($"The listener at {Address} is closed.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        _accepted.Writer.TryComplete();
        while (_accepted.Reader.TryRead(out TcpConnection? pending))
        {
            await pending.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                Socket client = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
                _ = AuthenticateAsync(client);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            _accepted.Writer.TryComplete();
        }
    }

    private async Task AuthenticateAsync(Socket client)
    {
        TcpConnection connection;
        try
        {
            connection = await TcpConnection.EstablishAsync(client, isDialer: false, _options, _metrics, _logger, _stop.Token)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TransportException or OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            return; // Refusals are logged and counted by EstablishAsync; other failures are a peer that went away.
        }

        if (!_accepted.Writer.TryWrite(connection))
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}

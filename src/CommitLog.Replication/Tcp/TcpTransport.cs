using System.Globalization;
using System.Net;
using System.Net.Sockets;
using CommitLog.Replication.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CommitLog.Replication.Tcp;

/// <summary>
/// Replication over TCP (System.IO.Pipelines): length-prefixed, CRC-32C-checked frames with a size limit enforced
/// before any buffering, keep-alive pings, a dead-peer timeout, a pre-shared-secret handshake before any data, and
/// dialing with exponential backoff and jitter. Addresses are "host:port".
/// </summary>
public sealed partial class TcpTransport : IReplicationTransport
{
    private readonly TcpTransportOptions _options;
    private readonly ILogger _logger;
    private readonly ReconnectBackoff _backoff;

    /// <summary>Creates the transport.</summary>
    /// <param name="options">Node id, cluster secret, limits and timeouts.</param>
    public TcpTransport(TcpTransportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = options.LoggerFactory?.CreateLogger<TcpTransport>() ?? NullLogger<TcpTransport>.Instance;
        Metrics = new TransportMetrics(options.MeterFactory);
        _backoff = new ReconnectBackoff(options.ReconnectInitialDelay, options.ReconnectMaxDelay,
            options.JitterSeed is { } seed ? new Random(seed) : new Random());
    }

    /// <inheritdoc/>
    public string NodeId => _options.NodeId;

    /// <inheritdoc/>
    public int MaxFrameBytes => _options.MaxFrameBytes;

    internal TransportMetrics Metrics { get; }

    internal TcpTransportOptions Options => _options;

    /// <inheritdoc/>
    public async ValueTask<IReplicationListener> ListenAsync(string address, CancellationToken cancellationToken = default)
    {
        IPEndPoint endPoint = await ResolveAsync(address, cancellationToken).ConfigureAwait(false);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endPoint);
            socket.Listen(128);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new TransportException($"Cannot listen on '{address}': {ex.Message}", ex);
        }

        return new TcpReplicationListener(socket, _options, Metrics, _logger);
    }

    /// <inheritdoc/>
    public async ValueTask<IReplicationConnection> ConnectAsync(string address, CancellationToken cancellationToken = default)
    {
        TimeProvider time = _options.TimeProvider ?? TimeProvider.System;
        for (int attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Socket? socket = null;
            try
            {
                IPEndPoint endPoint = await ResolveAsync(address, cancellationToken).ConfigureAwait(false);
                socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
                return await TcpConnection.EstablishAsync(socket, isDialer: true, _options, Metrics, _logger, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                socket?.Dispose();

                // A connect that failed while the caller gave up reports the cancellation, never a raw socket error.
                cancellationToken.ThrowIfCancellationRequested();
                if (attempt + 1 >= _options.MaxConnectAttempts)
                {
                    throw new TransportException($"Cannot connect to '{address}' after {attempt + 1} attempts: {ex.Message}", ex);
                }

                TimeSpan delay = _backoff.Next(attempt);
                Metrics.DialRetry();
                LogRetry(_logger, address, attempt + 1, delay, ex.Message);
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        Metrics.Dispose();
        return ValueTask.CompletedTask;
    }

    private static async ValueTask<IPEndPoint> ResolveAsync(string address, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        if (IPEndPoint.TryParse(address, out IPEndPoint? parsed) && address.Contains(':', StringComparison.Ordinal))
        {
            return parsed;
        }

        int colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port > IPEndPoint.MaxPort)
        {
            throw new ArgumentException($"TCP address '{address}' must be \"host:port\" with a port from 0 to 65535.", nameof(address));
        }

        IPAddress[] addresses = await Dns.GetHostAddressesAsync(address[..colon], cancellationToken).ConfigureAwait(false);
        return addresses.Length > 0
            ? new IPEndPoint(addresses[0], port)
            : throw new TransportException($"Host '{address[..colon]}' has no address.");
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dial to {Address} failed (attempt {Attempt}), retrying in {Delay}: {Reason}")]
    private static partial void LogRetry(ILogger logger, string address, int attempt, TimeSpan delay, string reason);
}

using System.Text;
using CommitLog.Replication.Tcp;
using CommitLog.Replication.Transport;

namespace CommitLog.Replication.Control;

/// <content>
/// Forwarded requests: a non-controller sends the encoded log entry (frame type 1) over the CommitLog TCP
/// transport (cluster secret + TLS) to the controller, which replicates it and replies (frame type 2:
/// status byte 0 committed, 1 not the controller, 2 failed; then a UTF-8 message).
/// </content>
public sealed partial class RaftControlPlane
{
    private const byte SubmitFrame = 1;
    private const byte ReplyFrame = 2;
    private const byte Committed = 0;
    private const byte NotController = 1;
    private const byte Failed = 2;

    private TcpTransport? _transport;
    private IReplicationListener? _listener;

    private async Task StartRequestServerAsync(CancellationToken cancellationToken)
    {
        _transport = new TcpTransport(new TcpTransportOptions
        {
            NodeId = NodeId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ClusterSecret = _options.ClusterSecret,
            Tls = _options.Tls,
            MaxConnectAttempts = 2,
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(100),
            HandshakeTimeout = _options.RequestTimeout * 2,
            LoggerFactory = _options.LoggerFactory,
            MeterFactory = _options.MeterFactory,
        });
        _listener = await _transport.ListenAsync(_options.Self.RequestAddress, cancellationToken).ConfigureAwait(false);
    }

    private async Task StopRequestServerAsync()
    {
        if (_listener is not null)
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
        }

        if (_transport is not null)
        {
            await _transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task RunRequestServerAsync(CancellationToken cancellationToken)
    {
        var connections = new List<Task>();
        while (!cancellationToken.IsCancellationRequested)
        {
            IReplicationConnection connection;
            try
            {
                connection = await _listener!.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or ConnectionClosedException)
            {
                break;
            }
            catch (TransportException)
            {
                continue; // a refused peer (logged and counted by the transport)
            }

            connections.RemoveAll(t => t.IsCompleted);
            connections.Add(Task.Run(() => ServeAsync(connection, cancellationToken), CancellationToken.None));
        }

        await Task.WhenAll(connections).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ServeAsync(IReplicationConnection connection, CancellationToken cancellationToken)
    {
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                while (true)
                {
                    ReplicationFrame frame = await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                    string? error = $"frame type {frame.Type}";
                    if (frame.Type != SubmitFrame || !RaftEntryCodec.TryDecode(frame.Payload.Span, out _, out _, out error))
                    {
                        await ReplyAsync(connection, Failed, $"not a control request: {error}", cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    if (!IsController)
                    {
                        await ReplyAsync(connection, NotController, $"node {NodeId} is not the controller (controller: {ControllerId})", cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(_options.RequestTimeout * 2);
                    bool committed;
                    string message;
                    try
                    {
                        await ReplicateCommittedAsync(frame.Payload, timeout.Token).ConfigureAwait(false);
                        committed = true;
                        message = "committed";
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        committed = false;
                        message = ex.Message;
                    }

                    await ReplyAsync(connection, committed ? Committed : Failed, message, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is ConnectionClosedException or OperationCanceledException or TransportException)
            {
                // the requester went away or we are stopping
            }
        }
    }

    private static async Task ReplyAsync(IReplicationConnection connection, byte status, string message, CancellationToken cancellationToken)
    {
        byte[] payload = new byte[1 + Encoding.UTF8.GetByteCount(message)];
        payload[0] = status;
        Encoding.UTF8.GetBytes(message, payload.AsSpan(1));
        await connection.SendAsync(ReplyFrame, payload, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> ForwardAsync(ControlPlaneMember controller, byte[] entry, CancellationToken cancellationToken)
    {
        IReplicationConnection connection = await _transport!.ConnectAsync(controller.RequestAddress, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await connection.SendAsync(SubmitFrame, entry, cancellationToken).ConfigureAwait(false);
            ReplicationFrame reply = await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (reply.Type != ReplyFrame || reply.Payload.Length < 1)
            {
                LogSubmitFailed(controller.NodeId, $"unexpected reply frame type {reply.Type}");
                return false;
            }

            if (reply.Payload.Span[0] != Committed)
            {
                LogSubmitFailed(controller.NodeId, Encoding.UTF8.GetString(reply.Payload.Span[1..]));
                return false;
            }

            return true;
        }
    }
}

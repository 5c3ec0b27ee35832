using System.Globalization;
using CommitLog.Replication.Protocol;
using CommitLog.Replication.Replica;
using CommitLog.Replication.Transport;

namespace CommitLog.Replication.Cluster;

/// <content>Peer connections: the listener, dialing with backoff, received frames and routing of the core's output.</content>
internal sealed partial class NodeHost
{
    private static readonly TimeSpan MinRedial = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxRedial = TimeSpan.FromSeconds(2);

    /// <summary>Accepts peers; each accepted connection carries that peer's requests to us and our responses back.</summary>
    private async Task AcceptLoopAsync()
    {
        while (!Stopping.IsCancellationRequested)
        {
            IReplicationConnection connection;
            try
            {
                connection = await _listener!.AcceptAsync(Stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ConnectionClosedException && Stopping.IsCancellationRequested)
            {
                return;
            }
            catch (TransportException)
            {
                continue;
            }

            if (!int.TryParse(connection.RemoteNodeId, NumberStyles.None, CultureInfo.InvariantCulture, out var peer) || peer == NodeId)
            {
                ClusterLog.Refused(_logger, NodeId, connection.RemoteNodeId, "its node id is not another node's number");
                await connection.DisposeAsync().ConfigureAwait(false);
                continue;
            }

            var link = new PeerLink(peer, connection, OnFrameAsync);
            if (_inbound.TryGetValue(peer, out var old))
            {
                await old.DisposeAsync().ConfigureAwait(false);
            }

            _inbound[peer] = link;
            _ = WatchInboundAsync(link);
        }
    }

    private async Task WatchInboundAsync(PeerLink link)
    {
        await Quietly(link.Completion).ConfigureAwait(false);
        if (_inbound.TryRemove(new KeyValuePair<int, PeerLink>(link.RemoteNodeId, link)) && !Stopping.IsCancellationRequested)
        {
            _metrics.ConnectionLost();
            ClusterLog.ConnectionLost(_logger, NodeId, link.RemoteNodeId, "inbound: " + (link.CloseReason ?? "closed"));
        }

        await link.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Keeps one connection to <paramref name="peer"/> open for our requests, re-dialing with backoff after it drops.</summary>
    private async Task DialLoopAsync(int peer)
    {
        var backoff = MinRedial;
        while (!Stopping.IsCancellationRequested)
        {
            try
            {
                if (!Metadata.Brokers.TryGetValue(peer, out var registration))
                {
                    await Task.Delay(backoff, _time, Stopping).ConfigureAwait(false);
                    continue;
                }

                IReplicationConnection connection;
                try
                {
                    connection = await _options.Transport.ConnectAsync(registration.Address, Stopping).ConfigureAwait(false);
                }
                catch (TransportException)
                {
                    await Task.Delay(backoff, _time, Stopping).ConfigureAwait(false);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxRedial.Ticks));
                    continue;
                }

                if (connection.RemoteNodeId != Id(peer))
                {
                    ClusterLog.Refused(_logger, NodeId, connection.RemoteNodeId, $"it answered at the address of node {peer}");
                    await connection.DisposeAsync().ConfigureAwait(false);
                    await Task.Delay(MaxRedial, _time, Stopping).ConfigureAwait(false);
                    continue;
                }

                backoff = MinRedial;
                var link = new PeerLink(peer, connection, OnFrameAsync);
                _outbound[peer] = link;
                ClusterLog.Connected(_logger, NodeId, peer, registration.Address);
                await Quietly(link.Completion).ConfigureAwait(false);
                _outbound.TryRemove(new KeyValuePair<int, PeerLink>(peer, link));
                FailForwarded(peer, $"the connection to node {peer} closed: {link.CloseReason ?? "closed"}");
                lock (_lock)
                {
                    _core.ConnectionLost(peer, NowMs);
                }

                FailCoordinatorCalls(peer);
                if (!Stopping.IsCancellationRequested)
                {
                    _metrics.ConnectionLost();
                    ClusterLog.ConnectionLost(_logger, NodeId, peer, "outbound: " + (link.CloseReason ?? "closed"));
                }

                await link.DisposeAsync().ConfigureAwait(false);
                await Task.Delay(backoff, _time, Stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (Stopping.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A link ended; why is in its close reason.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>Handles one frame from a peer: produce answers complete forwarded produces, group-coordinator messages are
    /// served or complete calls (NodeHost.GroupCalls.cs); everything else goes to the core.</summary>
    private ValueTask OnFrameAsync(PeerLink link, ReplicationFrame frame)
    {
        if (frame.Type != PeerLink.MessageFrame)
        {
            throw new ConnectionClosedException($"Node {link.RemoteNodeId} sent frame type {frame.Type}; only {PeerLink.MessageFrame} is known.");
        }

        ReplicationMessage message;
        try
        {
            message = Decode(frame.Payload);
        }
        catch (ProtocolFormatException e)
        {
            ClusterLog.Refused(_logger, NodeId, Id(link.RemoteNodeId), e.Message);
            throw;
        }

        if (message is ProduceResponse response)
        {
            CompleteProduce(response, link.RemoteNodeId);
            return ValueTask.CompletedTask;
        }

        if (message is CoordinatorMessage coordinator)
        {
            OnCoordinatorMessage(link, coordinator);
            return ValueTask.CompletedTask;
        }

        try
        {
            lock (_lock)
            {
                var now = NowMs;
                _core.Receive(link.RemoteNodeId, message, now);
                switch (message)
                {
                    case FetchRequest fetch:
                        MaybePark(link.RemoteNodeId, fetch, now);
                        break;
                    case ProduceRequest produce:
                        var tp = new TopicPartition(produce.Topic, produce.Partition);
                        WakeParkedFetches(p => p.Touches(tp));
                        break;
                    case FetchResponse:
                        _core.Tick(now); // fetch the next records now, not at the next tick
                        break;
                }
            }
        }
#pragma warning disable CA1031 // A failed log call must not close the connection; the sender times out and retries.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ClusterLog.CoreFailed(_logger, e, NodeId, $"a {message.GetType().Name} from node {link.RemoteNodeId}");
        }

        Flush();
        return ValueTask.CompletedTask;
    }

    /// <summary>Sends one message of the core: requests over the connection we dialed, answers over the one the request came on.</summary>
    private void Route(OutgoingMessage message)
    {
        if (message.To == LocalSender)
        {
            if (message.Message is ProduceResponse local)
            {
                CompleteProduce(local, NodeId);
            }

            return;
        }

        var links = message.Message is FetchRequest or ProduceRequest ? _outbound : _inbound;
        if (links.TryGetValue(message.To, out var link) && link.TrySend(MessageCodec.EncodePooled(message.Message)))
        {
            NoteSent(message.To, message.Message);
        }
        else if (message.Message is FetchRequest fetch)
        {
            // No connection to the leader (yet): fetch again as soon as there is one, not after the fetch timeout.
            lock (_lock)
            {
                _core.FetchNotSent(fetch, NowMs);
            }
        }
    }
}

using System.Globalization;
using CommitLog.Replication.Control;
using CommitLog.Replication.Tcp;
using CommitLog.Replication.Transport;

namespace CommitLog.ClusterChild;

/// <summary>
/// The real-process test's control plane authority, run by the parent: the single place that applies
/// <see cref="MetadataCommand"/>s (with <see cref="ClusterMetadataState"/>) and streams every accepted one to the nodes.
/// A node's session is its connection: when it closes (the node was killed, or paused longer than the dead-peer
/// timeout) the node is fenced, and it registers again, unfenced, when it reconnects. It stands in for the Raft control
/// plane, which decides the same things by consensus.
/// </summary>
internal sealed class ClusterController : IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly List<(long Version, MetadataCommand Command)> _log = [];
    private readonly Dictionary<int, FrameSender> _sessions = [];
    private readonly TcpTransport _transport;
    private readonly CancellationTokenSource _stop = new();
    private IReplicationListener? _listener;
    private Task _accepting = Task.CompletedTask;
    private ClusterMetadata _metadata = ClusterMetadata.Empty;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ClusterController(byte[] secret, TimeSpan deadPeerTimeout)
    {
        _transport = new TcpTransport(new TcpTransportOptions
        {
            NodeId = "controller",
            ClusterSecret = secret,
            KeepAliveInterval = deadPeerTimeout / 5,
            DeadPeerTimeout = deadPeerTimeout,
        });
    }

    /// <summary>Gets the address nodes dial.</summary>
    public string Address => _listener?.Address ?? throw new InvalidOperationException("Not started.");

    public ClusterMetadata Metadata
    {
        get
        {
            lock (_lock)
            {
                return _metadata;
            }
        }
    }

    /// <summary>Gets the fence commands applied because a node's session ended.</summary>
    public int Fences { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _listener = await _transport.ListenAsync("127.0.0.1:0", cancellationToken);
        _accepting = Task.Run(AcceptLoopAsync, CancellationToken.None);
    }

    /// <summary>Creates a topic, assigning replicas over the registered live nodes.</summary>
    public MetadataChange CreateTopic(ReplicatedTopic topic)
    {
        lock (_lock)
        {
            return Apply(new CreateTopic(topic, ClusterMetadataState.AssignReplicas(_metadata, topic.PartitionCount, topic.ReplicationFactor)));
        }
    }

    /// <summary>Waits until the metadata is newer than <paramref name="afterVersion"/>.</summary>
    public async Task<ClusterMetadata> WaitForChangeAsync(long afterVersion, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_metadata.Version > afterVersion)
                {
                    return _metadata;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>One line for the parent process (see <see cref="MetaLine"/>).</summary>
    public string Describe() => MetaLine.Format(Metadata, Fences);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_listener is not null)
        {
            await _listener.DisposeAsync();
        }

        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or TransportException)
        {
        }

        await _transport.DisposeAsync();
        _stop.Dispose();
    }

    /// <summary>Applies a command and streams it to every session. Under the lock.</summary>
    private MetadataChange Apply(MetadataCommand command)
    {
        var change = ClusterMetadataState.Apply(_metadata, command);
        if (change.Accepted)
        {
            _metadata = change.Metadata;
            _log.Add((_metadata.Version, command));
            var entry = ControllerFrames.EncodeEntry(_metadata.Version, command);
            foreach (var session in _sessions.Values)
            {
                session.Send(ControllerFrames.Entry, entry);
            }

            _changed.TrySetResult();
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return change;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            IReplicationConnection connection;
            try
            {
                connection = await _listener!.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or TransportException && _stop.IsCancellationRequested)
            {
                return;
            }
            catch (TransportException)
            {
                continue;
            }

            _ = Task.Run(() => ServeAsync(connection), CancellationToken.None);
        }
    }

    /// <summary>One node's session: the whole command log first, then its commands and every new entry.</summary>
    private async Task ServeAsync(IReplicationConnection connection)
    {
        if (!int.TryParse(connection.RemoteNodeId, NumberStyles.None, CultureInfo.InvariantCulture, out var node))
        {
            await connection.DisposeAsync();
            return;
        }

        var sender = new FrameSender(connection);
        lock (_lock)
        {
            if (_sessions.Remove(node, out var old))
            {
                old.Complete();
            }

            _sessions[node] = sender;
            foreach (var (version, command) in _log)
            {
                sender.Send(ControllerFrames.Entry, ControllerFrames.EncodeEntry(version, command));
            }
        }

        try
        {
            while (true)
            {
                var frame = await connection.ReceiveAsync(_stop.Token);
                if (frame.Type != ControllerFrames.Command)
                {
                    break;
                }

                var (correlationId, command) = ControllerFrames.DecodeCommand(frame.Payload.Span);
                lock (_lock)
                {
                    bool accepted;
                    try
                    {
                        accepted = (command is CreateTopic create ? CreateTopic(create.Topic) : Apply(command)).Accepted;
                    }
                    catch (ArgumentOutOfRangeException)
                    {
                        accepted = false; // too few live nodes for the replication factor
                    }

                    sender.Send(ControllerFrames.Reply, ControllerFrames.EncodeReply(correlationId, accepted, _metadata.Version));
                }
            }
        }
        catch (Exception e) when (e is TransportException or OperationCanceledException or FormatException or ArgumentException)
        {
        }
        finally
        {
            lock (_lock)
            {
                if (_sessions.TryGetValue(node, out var current) && current == sender && !_stop.IsCancellationRequested)
                {
                    _sessions.Remove(node);
                    Fences++;
                    Apply(new FenceBroker(node));
                }
            }

            sender.Complete();
            await connection.DisposeAsync();
        }
    }
}

using System.Collections.Concurrent;
using CommitLog.Replication.Control;
using CommitLog.Replication.Tcp;
using CommitLog.Replication.Transport;

namespace CommitLog.ClusterChild;

/// <summary>
/// A node's <see cref="IControlPlane"/> backed by a <see cref="ClusterController"/> in another process: it keeps one
/// connection to the controller (re-dialing when it drops, registering again each time), mirrors the metadata by
/// applying the controller's entries in order, and sends topic creations and ISR changes as commands.
/// </summary>
public sealed class RemoteControlPlane : IControlPlane
{
    private readonly object _lock = new();
    private readonly TcpTransport _transport;
    private readonly string _controllerAddress;
    private readonly string _nodeAddress;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<(bool Accepted, long Version)>> _pending = new();
    private readonly TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ClusterMetadata _metadata = ClusterMetadata.Empty;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FrameSender? _sender;
    private Task _session = Task.CompletedTask;
    private int _nextCorrelationId;

    public RemoteControlPlane(int nodeId, string nodeAddress, string controllerAddress, byte[] secret, TimeSpan deadPeerTimeout)
    {
        NodeId = nodeId;
        _nodeAddress = nodeAddress;
        _controllerAddress = controllerAddress;
        _transport = new TcpTransport(new TcpTransportOptions
        {
            NodeId = nodeId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ClusterSecret = secret,
            KeepAliveInterval = deadPeerTimeout / 5,
            DeadPeerTimeout = deadPeerTimeout,
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(300),
        });
    }

    public int NodeId { get; }

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

    public async ValueTask StartAsync(CancellationToken cancellationToken = default)
    {
        _session = Task.Run(SessionLoopAsync, CancellationToken.None);
        await _registered.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask<ClusterMetadata> WaitForChangeAsync(long afterVersion, CancellationToken cancellationToken = default)
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

    public async ValueTask<ClusterMetadata> CreateTopicAsync(ReplicatedTopic topic, CancellationToken cancellationToken = default)
    {
        var (accepted, version) = await SendAsync(new CreateTopic(topic, []), cancellationToken);
        if (!accepted)
        {
            throw new InvalidOperationException($"The controller refused to create topic '{topic.Name}'.");
        }

        return await WaitForChangeAsync(version - 1, cancellationToken);
    }

    public async ValueTask<PartitionState> AlterIsrAsync(
        TopicPartition topicPartition, int leaderEpoch, int partitionEpoch, IReadOnlyList<int> isr, CancellationToken cancellationToken = default)
    {
        var (_, version) = await SendAsync(new AlterIsr(topicPartition, leaderEpoch, partitionEpoch, isr), cancellationToken);
        var metadata = await WaitForChangeAsync(version - 1, cancellationToken);
        return metadata.Partitions[topicPartition];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _session;
        }
        catch (OperationCanceledException)
        {
        }

        await _transport.DisposeAsync();
        _stop.Dispose();
    }

    private async Task<(bool Accepted, long Version)> SendAsync(MetadataCommand command, CancellationToken cancellationToken)
    {
        var sender = _sender ?? throw new TransportException("No connection to the controller.");
        var id = Interlocked.Increment(ref _nextCorrelationId);
        var reply = new TaskCompletionSource<(bool, long)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        try
        {
            sender.Send(ControllerFrames.Command, ControllerFrames.EncodeCommand(id, command));
            return await reply.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task SessionLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            IReplicationConnection connection;
            try
            {
                connection = await _transport.ConnectAsync(_controllerAddress, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (TransportException)
            {
                await Task.Delay(100, _stop.Token);
                continue;
            }

            var sender = new FrameSender(connection);
            _sender = sender;
            var registration = Interlocked.Increment(ref _nextCorrelationId);
            var registered = new TaskCompletionSource<(bool, long)>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[registration] = registered;
            _ = registered.Task.ContinueWith(_ => _registered.TrySetResult(), TaskScheduler.Default);
            sender.Send(ControllerFrames.Command, ControllerFrames.EncodeCommand(registration, new RegisterBroker(NodeId, _nodeAddress)));
            try
            {
                while (true)
                {
                    var frame = await connection.ReceiveAsync(_stop.Token);
                    if (frame.Type == ControllerFrames.Entry)
                    {
                        var (version, command) = ControllerFrames.DecodeEntry(frame.Payload.Span);
                        ApplyEntry(version, command);
                    }
                    else if (frame.Type == ControllerFrames.Reply)
                    {
                        var (id, accepted, version) = ControllerFrames.DecodeReply(frame.Payload.Span);
                        if (_pending.TryRemove(id, out var pending))
                        {
                            pending.TrySetResult((accepted, version));
                        }
                    }
                }
            }
            catch (Exception e) when (e is TransportException or OperationCanceledException)
            {
            }
            finally
            {
                _sender = null;
                sender.Complete();
                await connection.DisposeAsync();
                foreach (var id in _pending.Keys)
                {
                    if (_pending.TryRemove(id, out var pending))
                    {
                        pending.TrySetException(new TransportException("The connection to the controller closed."));
                    }
                }
            }
        }
    }

    private void ApplyEntry(long version, MetadataCommand command)
    {
        lock (_lock)
        {
            if (version <= _metadata.Version)
            {
                return; // already applied: the controller replays its whole log on every new session
            }

            var change = ClusterMetadataState.Apply(_metadata, command);
            if (!change.Accepted || change.Metadata.Version != version)
            {
                throw new InvalidOperationException(
                    $"Node {NodeId} could not apply the controller's entry {version} ({command.GetType().Name}) at version {_metadata.Version}: {change.RejectReason}");
            }

            _metadata = change.Metadata;
            _changed.TrySetResult();
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using CommitLog.Replication.Control;
using CommitLog.Replication.Protocol;
using CommitLog.Replication.Replica;
using Microsoft.Extensions.Logging;

namespace CommitLog.Replication.Cluster;

/// <summary>
/// Runs one node's replication core (<see cref="ReplicaNode"/>, which has no I/O, threads or timers) over a real
/// transport: every call into the core happens under one lock; metadata comes from the control plane, time from a
/// periodic tick, messages from peer connections; what the core outputs is sent after the lock is released. It is also
/// the broker's <see cref="IPartitionReplication"/>: producer appends to replicated topics come here.
/// </summary>
internal sealed partial class NodeHost : IAsyncDisposable
{
    /// <summary>The sender id of produces from this node's own producers (node ids are never negative).</summary>
    private const int LocalSender = -1;

    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(10);
    private readonly object _lock = new();
    private readonly ClusterNodeOptions _options;
    private readonly ReplicaNode _core;
    private readonly ILogger _logger;
    private readonly ClusterMetrics _metrics = new();
    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationToken _stopping;
    private readonly ConcurrentDictionary<int, PeerLink> _outbound = new();
    private readonly ConcurrentDictionary<int, PeerLink> _inbound = new();
    private readonly ConcurrentDictionary<int, Task> _dialers = new();
    private readonly List<Task> _loops = [];
    private Broker? _broker;
    private Transport.IReplicationListener? _listener;
    private ClusterMetadata _applied = ClusterMetadata.Empty;
    private TaskCompletionSource _appliedChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextCorrelationId;

    public NodeHost(ClusterNodeOptions options)
    {
        _options = options;
        _time = options.TimeProvider;
        _startTimestamp = _time.GetTimestamp();
        _stopping = _stop.Token; // kept: background tasks may still look at it after the source is disposed
        _logger = options.LoggerFactory.CreateLogger("CommitLog.Cluster");
        var waitMs = (long)options.ReplicaFetchWaitMax.TotalMilliseconds;
        var replication = new ReplicationOptions
        {
            ReplicaLagTimeMaxMs = (long)options.ReplicaLagTimeMax.TotalMilliseconds,
            // A fetch answer must fit one frame; at least one whole batch is returned, and no batch exceeds the budget.
            FetchMaxBytes = Math.Max(1, Math.Min(options.ReplicaFetchMaxBytes, FrameBudget.For(options.Transport.MaxFrameBytes))),
            // The leader holds a caught-up follower's fetch (FetchParking, NodeHost.LongPoll.cs), so a follower asks again at once.
            FetchBackoffMs = waitMs > 0 ? 0 : 100,
            FetchTimeoutMs = waitMs + 2_000,
        };
        _core = new ReplicaNode(options.NodeId, tp => BrokerReplicaLog.Create(Broker, tp), replication);
        _parking = new FetchParking(waitMs);
    }

    public int NodeId => _options.NodeId;

    /// <summary>Gets the metadata the core has applied.</summary>
    public ClusterMetadata Metadata => Volatile.Read(ref _applied);

    /// <summary>Gets the replication core's metrics (under-replicated partitions, ISR changes, lag).</summary>
    public ReplicationMetrics CoreMetrics => _core.Metrics;

    private Broker Broker => _broker ?? throw new InvalidOperationException("The node's broker is not open yet.");

    private long NowMs => (long)_time.GetElapsedTime(_startTimestamp).TotalMilliseconds;

    private CancellationToken Stopping => _stopping;

    /// <summary>Starts listening, the control plane, the metadata loop and the tick.</summary>
    public async Task StartAsync(Broker broker, CancellationToken cancellationToken)
    {
        _broker = broker;
        CheckOpenedTopics(broker);
        _listener = await _options.Transport.ListenAsync(_options.ListenAddress, cancellationToken).ConfigureAwait(false);
        _loops.Add(Task.Run(AcceptLoopAsync, CancellationToken.None));
        await _options.ControlPlane.StartAsync(cancellationToken).ConfigureAwait(false);
        _loops.Add(Task.Run(MetadataLoopAsync, CancellationToken.None));
        _loops.Add(Task.Run(TickLoopAsync, CancellationToken.None));
        ClusterLog.Started(_logger, NodeId, _listener.Address);
    }

    /// <summary>Waits until the applied metadata satisfies <paramref name="condition"/>.</summary>
    public async Task<ClusterMetadata> WaitForMetadataAsync(Func<ClusterMetadata, bool> condition, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (condition(_applied))
                {
                    return _applied;
                }

                changed = _appliedChanged.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Creates a topic through the control plane.</summary>
    public ValueTask<ClusterMetadata> CreateTopicAsync(ReplicatedTopic topic, CancellationToken cancellationToken)
        => _options.ControlPlane.CreateTopicAsync(topic, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_listener is not null)
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var link in _outbound.Values.Concat(_inbound.Values))
        {
            await link.DisposeAsync().ConfigureAwait(false);
        }

        await WhenAllQuietly(_loops.Concat(_dialers.Values)).ConfigureAwait(false);
        await _options.ControlPlane.DisposeAsync().ConfigureAwait(false);
        FailAllPending(new ReplicationException(Storage.ErrorCode.NotLeaderOrFollower, $"Cluster node {NodeId} is shutting down."));
        _metrics.Dispose();
        _stop.Dispose();
        ClusterLog.Stopped(_logger, NodeId);
    }

    private static async Task WhenAllQuietly(IEnumerable<Task> tasks)
    {
        foreach (var task in tasks.ToList())
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or Transport.TransportException)
            {
            }
        }
    }

    private async Task TickLoopAsync()
    {
        using var timer = new PeriodicTimer(TickInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(Stopping).ConfigureAwait(false))
            {
                try
                {
                    lock (_lock)
                    {
                        var now = NowMs;
                        WakeParkedFetches(p => p.DeadlineMs <= now);
                        _core.Tick(now);
                    }

                    Flush();
                }
#pragma warning disable CA1031 // The tick's boundary: a failed log call is logged; the next tick tries again.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    ClusterLog.CoreFailed(_logger, e, NodeId, "a tick");
                }
            }
        }
        catch (OperationCanceledException) when (Stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Sends what the core output (outside the lock) and forwards its ISR requests to the control plane.</summary>
    private void Flush()
    {
        List<OutgoingMessage> messages;
        List<AlterIsrRequest> isrRequests;
        lock (_lock)
        {
            messages = [.. _heldOutput, .. _core.TakeMessages()];
            _heldOutput.Clear();
            isrRequests = _core.TakeAlterIsrRequests();
        }

        foreach (var message in messages)
        {
            try
            {
                var fitted = FitFrame(message.Message);
                Route(ReferenceEquals(fitted, message.Message) ? message : message with { Message = fitted });
            }
            finally
            {
                (message.Message as FetchResponse)?.ReleaseRecords(); // encoded (or dropped): the leader's read buffer goes back
            }
        }

        foreach (var request in isrRequests)
        {
            _ = Task.Run(() => AlterIsrAsync(request), CancellationToken.None);
        }
    }

    private async Task AlterIsrAsync(AlterIsrRequest request)
    {
        try
        {
            var state = await _options.ControlPlane.AlterIsrAsync(request.TopicPartition, request.LeaderEpoch, request.PartitionEpoch,
                request.Isr, Stopping).ConfigureAwait(false);
            if (state.LeaderEpoch == request.LeaderEpoch && state.PartitionEpoch == request.PartitionEpoch)
            {
                // Refused with the partition unchanged (e.g. a proposed member is fenced): no metadata will say so.
                lock (_lock)
                {
                    _core.IsrChangeRefused(request, NowMs);
                }

                Flush();
            }

            // The result reaches the core as committed metadata; apply what the control plane already has at once.
            await ApplyMetadataAsync(_options.ControlPlane.Metadata, Stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (Stopping.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // Fire-and-forget boundary: the core asks again after its timeout.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ClusterLog.AlterIsrFailed(_logger, e, NodeId, request.TopicPartition.Topic, request.TopicPartition.Partition.Value,
                string.Join(",", request.Isr));
        }
    }

    private static string Id(int nodeId) => nodeId.ToString(CultureInfo.InvariantCulture);

    private int NextCorrelationId() => Interlocked.Increment(ref _nextCorrelationId) & int.MaxValue;

    // The frame's payload belongs to this node once received: records stay in it instead of being copied out.
    private static ReplicationMessage Decode(ReadOnlyMemory<byte> payload) => MessageCodec.DecodeInPlace(payload);
}

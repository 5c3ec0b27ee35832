using CommitLog.Replication.Control;

namespace CommitLog.Replication.Replica;

/// <summary>
/// One node's replication core, without I/O, threads or timers: the host feeds it metadata, received messages and the
/// time, and sends what it outputs (<see cref="TakeMessages"/>, <see cref="TakeAlterIsrRequests"/>). Per partition it
/// leads (Leader == this node), follows the leader, or does nothing (offline or not a replica). Not thread-safe: one
/// caller at a time, which lets a seeded scheduler drive a whole cluster deterministically.
/// </summary>
internal sealed partial class ReplicaNode
{
    private readonly Func<TopicPartition, IReplicaLog> _openLog;
    private readonly ReplicationOptions _options;
    private readonly Dictionary<TopicPartition, IReplicaLog> _logs = [];
    private readonly Dictionary<TopicPartition, LeaderPartition> _leaders = [];
    private readonly Dictionary<TopicPartition, FollowerPartition> _followers = [];
    private readonly Dictionary<TopicPartition, int> _knownEpochs = [];
    private readonly List<OutgoingMessage> _messages = [];
    private readonly List<AlterIsrRequest> _alterIsr = [];
    private ClusterMetadata _metadata = ClusterMetadata.Empty;
    private int _nextCorrelationId;

    /// <param name="nodeId">This node's id.</param>
    /// <param name="openLog">Opens (or returns the open) log of a partition this node holds a replica of.</param>
    /// <param name="options">The settings.</param>
    /// <param name="metrics">Where to report; a private meter when null.</param>
    public ReplicaNode(int nodeId, Func<TopicPartition, IReplicaLog> openLog, ReplicationOptions? options = null, ReplicationMetrics? metrics = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nodeId);
        ArgumentNullException.ThrowIfNull(openLog);
        NodeId = nodeId;
        _openLog = openLog;
        _options = options ?? new ReplicationOptions();
        _options.Validate();
        Metrics = metrics ?? new ReplicationMetrics();
    }

    public int NodeId { get; }

    public ReplicationMetrics Metrics { get; }

    public ClusterMetadata Metadata => _metadata;

    /// <summary>Gets the partitions this node leads.</summary>
    public IReadOnlyDictionary<TopicPartition, LeaderPartition> Leaders => _leaders;

    /// <summary>Gets the partitions this node follows.</summary>
    public IReadOnlyDictionary<TopicPartition, FollowerPartition> Followers => _followers;

    /// <summary>Gets the log of a partition this node holds, if open.</summary>
    public IReplicaLog? GetLog(TopicPartition partition) => _logs.GetValueOrDefault(partition);

    /// <summary>Takes the messages to send since the last call.</summary>
    public List<OutgoingMessage> TakeMessages()
    {
        var taken = new List<OutgoingMessage>(_messages);
        _messages.Clear();
        return taken;
    }

    /// <summary>Takes the ISR changes to send to the control plane since the last call.</summary>
    public List<AlterIsrRequest> TakeAlterIsrRequests()
    {
        var taken = new List<AlterIsrRequest>(_alterIsr);
        _alterIsr.Clear();
        return taken;
    }

    /// <summary>Applies newer metadata: takes up, keeps or gives up each partition's role. Older or equal versions are ignored.</summary>
    public void ApplyMetadata(ClusterMetadata metadata, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.Version <= _metadata.Version)
        {
            return;
        }

        _metadata = metadata;
        foreach (var (tp, state) in metadata.Partitions)
        {
            if (!state.Replicas.Contains(NodeId) || !metadata.Topics.TryGetValue(state.Topic, out var topic))
            {
                StopLeading(tp);
                _followers.Remove(tp);
                continue;
            }

            _knownEpochs[tp] = state.LeaderEpoch;
            var log = GetOrOpenLog(tp);
            if (state.Leader == NodeId)
            {
                _followers.Remove(tp);
                if (_leaders.TryGetValue(tp, out var leader) && leader.LeaderEpoch == state.LeaderEpoch)
                {
                    leader.UpdateState(state, topic, _messages);
                }
                else
                {
                    StopLeading(tp);
                    _leaders[tp] = new LeaderPartition(NodeId, state, topic, log, _options, Metrics, IsIsrEligible, nowMs);
                }
            }
            else
            {
                StopLeading(tp);
                if (state.Leader == PartitionState.NoLeader)
                {
                    _followers.Remove(tp);
                }
                else if (!_followers.TryGetValue(tp, out var follower) || follower.Leader != state.Leader || follower.LeaderEpoch != state.LeaderEpoch)
                {
                    _followers[tp] = new FollowerPartition(NodeId, state, log, _options);
                }
            }
        }

        foreach (var tp in _leaders.Keys.Where(tp => !metadata.Partitions.ContainsKey(tp)).ToList())
        {
            StopLeading(tp);
        }

        CollectIsrRequests();
        UpdateGauges();
    }

    /// <summary>Advances time: followers fetch, leaders check their ISR and time out produces.</summary>
    public void Tick(long nowMs)
    {
        foreach (var leader in _leaders.Values)
        {
            leader.Tick(nowMs, _messages);
        }

        foreach (var follower in _followers.Values)
        {
            if (follower.MaybeFetch(nowMs, NextCorrelationId) is { } fetch)
            {
                _messages.Add(new OutgoingMessage(follower.Leader, fetch));
            }
        }

        CollectIsrRequests();
        UpdateGauges();
    }

    /// <summary>
    /// The control plane refused <paramref name="request"/> (it answered with the partition unchanged): the leader
    /// stops counting the members it proposed and goes back to its committed ISR, as Kafka does on an AlterPartition error.
    /// </summary>
    public void IsrChangeRefused(AlterIsrRequest request, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_leaders.TryGetValue(request.TopicPartition, out var leader))
        {
            leader.RejectIsrChange(request, nowMs, _messages);
        }

        CollectIsrRequests();
        UpdateGauges();
    }

    private IReplicaLog GetOrOpenLog(TopicPartition tp)
    {
        if (!_logs.TryGetValue(tp, out var log))
        {
            log = _openLog(tp);
            _logs[tp] = log;
        }

        return log;
    }

    private void StopLeading(TopicPartition tp)
    {
        if (_leaders.Remove(tp, out var leader))
        {
            leader.Resign(_messages);
        }
    }

    /// <summary>A replica may join an ISR only while its broker is registered and not fenced (KIP-841).</summary>
    private bool IsIsrEligible(int replica) => _metadata.Brokers.TryGetValue(replica, out var broker) && !broker.IsFenced;

    private int NextCorrelationId() => _nextCorrelationId = (_nextCorrelationId + 1) & int.MaxValue;

    private void CollectIsrRequests()
    {
        foreach (var leader in _leaders.Values)
        {
            if (leader.TakeNewIsrRequest() is { } request)
            {
                _alterIsr.Add(request);
            }
        }
    }

    private void UpdateGauges()
    {
        Metrics.SetUnderReplicated(_leaders.Values.Count(l => l.IsUnderReplicated));
        foreach (var (tp, follower) in _followers)
        {
            Metrics.SetLag(tp, follower.Lag);
        }
    }
}

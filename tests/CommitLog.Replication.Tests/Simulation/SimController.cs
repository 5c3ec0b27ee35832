using CommitLog.Replication.Control;

namespace CommitLog.Replication.Tests.Simulation;

/// <summary>
/// The control plane of the simulation: applies <see cref="ClusterMetadataState"/> commands in event order, fences a
/// node that sent nothing for the session timeout and unfences it when it comes back. AlterIsr requests and metadata
/// travel over the simulated network and can be lost.
/// </summary>
internal sealed class SimController
{
    public const int Id = 0;

    private readonly SimScheduler _scheduler;
    private readonly SimNetwork _network;
    private readonly IReadOnlyList<int> _nodes;
    private readonly long _sessionTimeoutMs;
    private readonly Dictionary<int, long> _lastSeen = [];

    public SimController(SimScheduler scheduler, SimNetwork network, IReadOnlyList<int> nodes, long sessionTimeoutMs)
    {
        _scheduler = scheduler;
        _network = network;
        _nodes = nodes;
        _sessionTimeoutMs = sessionTimeoutMs;
        network.Attach(Id, Receive);
        foreach (var node in nodes)
        {
            Apply(new RegisterBroker(node, $"node-{node}"));
            _lastSeen[node] = 0;
        }
    }

    public ClusterMetadata Metadata { get; private set; } = ClusterMetadata.Empty;

    public int Elections { get; private set; }

    public void CreateTopic(ReplicatedTopic topic)
    {
        var change = Apply(new CreateTopic(topic, ClusterMetadataState.AssignReplicas(Metadata, topic.PartitionCount, topic.ReplicationFactor)));
        if (!change.Accepted)
        {
            throw new InvalidOperationException(change.RejectReason);
        }
    }

    /// <summary>Fences nodes whose session expired; runs every 50 ms.</summary>
    public void Start() => _scheduler.After(50, CheckSessions);

    private void CheckSessions()
    {
        foreach (var node in _nodes)
        {
            if (!Metadata.Brokers[node].IsFenced && _scheduler.Now - _lastSeen[node] > _sessionTimeoutMs)
            {
                Apply(new FenceBroker(node));
            }
        }

        _scheduler.After(50, CheckSessions);
    }

    private void Receive(int from, object message)
    {
        switch (message)
        {
            case Heartbeat heartbeat:
                _lastSeen[heartbeat.NodeId] = _scheduler.Now;
                if (Metadata.Brokers[heartbeat.NodeId].IsFenced)
                {
                    Apply(new UnfenceBroker(heartbeat.NodeId));
                }

                if (heartbeat.KnownVersion < Metadata.Version)
                {
                    _network.Send(Id, from, new MetadataPush(Metadata));
                }

                break;
            case AlterIsrMessage alter:
                _lastSeen[from] = _scheduler.Now;
                var r = alter.Request;
                var change = Apply(new AlterIsr(r.TopicPartition, r.LeaderEpoch, r.PartitionEpoch, r.Isr));
                if (!change.Accepted && Metadata.Partitions.TryGetValue(r.TopicPartition, out var state)
                    && state.LeaderEpoch == r.LeaderEpoch && state.PartitionEpoch == r.PartitionEpoch)
                {
                    // Refused with the partition unchanged: as the node host does, tell the leader (no metadata will).
                    _network.Send(Id, from, new AlterIsrRefused(r));
                }

                _network.Send(Id, from, new MetadataPush(Metadata));
                break;
        }
    }

    private MetadataChange Apply(MetadataCommand command)
    {
        var change = ClusterMetadataState.Apply(Metadata, command);
        if (change.Accepted)
        {
            Metadata = change.Metadata;
            Elections += change.Elections.Count;
            foreach (var node in _nodes)
            {
                _network.Send(Id, node, new MetadataPush(Metadata));
            }
        }

        return change;
    }
}

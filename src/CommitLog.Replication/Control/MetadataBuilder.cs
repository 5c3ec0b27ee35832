namespace CommitLog.Replication.Control;

/// <summary>A mutable copy of <see cref="ClusterMetadata"/> that one command edits; each method returns a rejection reason or null.</summary>
internal sealed class MetadataBuilder
{
    private readonly ClusterMetadata _source;
    private readonly Dictionary<int, BrokerRegistration> _brokers;
    private readonly Dictionary<string, ReplicatedTopic> _topics;
    private readonly Dictionary<TopicPartition, PartitionState> _partitions;
    private readonly List<LeaderElection> _elections = [];

    public MetadataBuilder(ClusterMetadata source)
    {
        _source = source;
        _brokers = new Dictionary<int, BrokerRegistration>(source.Brokers);
        _topics = new Dictionary<string, ReplicatedTopic>(source.Topics, StringComparer.Ordinal);
        _partitions = new Dictionary<TopicPartition, PartitionState>(source.Partitions);
    }

    public IReadOnlyList<LeaderElection> Elections => _elections;

    public ClusterMetadata Build(long version) => new(version, _source.ControllerId, _brokers, _topics, _partitions);

    public string? Register(int nodeId, string address)
    {
        if (nodeId < 0 || string.IsNullOrWhiteSpace(address))
        {
            return $"A node registration needs a non-negative id and an address (got id {nodeId}, address '{address}').";
        }

        _brokers[nodeId] = new BrokerRegistration(nodeId, address, IsFenced: false);
        ElectOfflineWith(nodeId);
        return null;
    }

    public string? Fence(int nodeId)
    {
        if (!_brokers.TryGetValue(nodeId, out var broker))
        {
            return $"Node {nodeId} is not registered.";
        }

        if (broker.IsFenced)
        {
            return $"Node {nodeId} is already fenced.";
        }

        _brokers[nodeId] = broker with { IsFenced = true };
        foreach (var state in Sorted())
        {
            if (!state.Replicas.Contains(nodeId))
            {
                continue;
            }

            var isr = state.Isr.Count > 1 ? state.Isr.Where(id => id != nodeId).ToArray() : [.. state.Isr];
            var next = state with { Isr = isr };
            if (state.Leader == nodeId)
            {
                next = ElectFrom(next, allowUnclean: _topics.TryGetValue(state.Topic, out var t) && t.UncleanLeaderElection);
            }
            else if (isr.Length != state.Isr.Count)
            {
                next = next with { PartitionEpoch = state.PartitionEpoch + 1 };
            }

            _partitions[state.TopicPartition] = next;
        }

        return null;
    }

    public string? Unfence(int nodeId)
    {
        if (!_brokers.TryGetValue(nodeId, out var broker))
        {
            return $"Node {nodeId} is not registered.";
        }

        if (!broker.IsFenced)
        {
            return $"Node {nodeId} is not fenced.";
        }

        _brokers[nodeId] = broker with { IsFenced = false };
        ElectOfflineWith(nodeId);
        return null;
    }

    public string? CreateTopic(ReplicatedTopic topic, IReadOnlyList<IReadOnlyList<int>> assignment)
    {
        if (topic is null || string.IsNullOrWhiteSpace(topic.Name))
        {
            return "A topic needs a name.";
        }

        if (_topics.ContainsKey(topic.Name))
        {
            return $"Topic '{topic.Name}' already exists.";
        }

        if (topic.PartitionCount < 1 || topic.PartitionCount > ClusterMetadataState.MaxPartitions || assignment.Count != topic.PartitionCount)
        {
            return $"Topic '{topic.Name}' has {topic.PartitionCount} partitions and {assignment.Count} replica lists; both must match and be 1 to {ClusterMetadataState.MaxPartitions}.";
        }

        if (topic.ReplicationFactor < 1 || topic.MinInsyncReplicas < 1 || topic.MinInsyncReplicas > topic.ReplicationFactor)
        {
            return $"Topic '{topic.Name}': the replication factor ({topic.ReplicationFactor}) must be at least 1 and min.insync.replicas ({topic.MinInsyncReplicas}) 1 to the replication factor.";
        }

        for (var p = 0; p < assignment.Count; p++)
        {
            var replicas = assignment[p];
            if (replicas.Count != topic.ReplicationFactor || replicas.Distinct().Count() != replicas.Count || replicas.Any(id => !_brokers.ContainsKey(id)))
            {
                return $"Topic '{topic.Name}' partition {p}: replicas [{string.Join(", ", replicas)}] must be {topic.ReplicationFactor} distinct registered nodes.";
            }
        }

        _topics[topic.Name] = topic;
        for (var p = 0; p < assignment.Count; p++)
        {
            var replicas = assignment[p].ToArray();
            var live = replicas.Where(id => !_brokers[id].IsFenced).ToArray();
            var leader = live.Length > 0 ? live[0] : PartitionState.NoLeader;
            _partitions[new TopicPartition(topic.Name, p)] =
                new PartitionState(topic.Name, p, replicas, live.Length > 0 ? live : replicas, leader, 0, 0);
        }

        return null;
    }

    public string? AlterIsr(TopicPartition topicPartition, int leaderEpoch, int partitionEpoch, IReadOnlyList<int> isr)
    {
        if (!_partitions.TryGetValue(topicPartition, out var state))
        {
            return $"Partition {topicPartition} does not exist.";
        }

        if (leaderEpoch != state.LeaderEpoch || partitionEpoch != state.PartitionEpoch)
        {
            return $"Partition {topicPartition}: the request names leader epoch {leaderEpoch} and partition epoch {partitionEpoch}; the current ones are {state.LeaderEpoch} and {state.PartitionEpoch}.";
        }

        if (state.Leader == PartitionState.NoLeader || !isr.Contains(state.Leader))
        {
            return $"Partition {topicPartition}: the ISR [{string.Join(", ", isr)}] must contain the leader {state.Leader}.";
        }

        if (isr.Distinct().Count() != isr.Count || isr.Any(id => !state.Replicas.Contains(id) || !_brokers.TryGetValue(id, out var b) || b.IsFenced))
        {
            return $"Partition {topicPartition}: the ISR [{string.Join(", ", isr)}] may hold only distinct live replicas of [{string.Join(", ", state.Replicas)}].";
        }

        _partitions[topicPartition] = state with { Isr = [.. isr], PartitionEpoch = state.PartitionEpoch + 1 };
        return null;
    }

    public string? Elect(TopicPartition topicPartition, int nodeId, bool allowUnclean)
    {
        if (!_partitions.TryGetValue(topicPartition, out var state))
        {
            return $"Partition {topicPartition} does not exist.";
        }

        if (!state.Replicas.Contains(nodeId) || !_brokers.TryGetValue(nodeId, out var broker) || broker.IsFenced)
        {
            return $"Partition {topicPartition}: node {nodeId} is not a live replica of [{string.Join(", ", state.Replicas)}].";
        }

        if (state.Leader == nodeId)
        {
            return $"Partition {topicPartition}: node {nodeId} already leads.";
        }

        var unclean = !state.Isr.Contains(nodeId);
        if (unclean && !allowUnclean)
        {
            return $"Partition {topicPartition}: node {nodeId} is not in the ISR [{string.Join(", ", state.Isr)}]; promoting it loses records (allow unclean election to do it anyway).";
        }

        var isr = unclean ? [nodeId] : state.Isr.Where(id => id == nodeId || (id != state.Leader && IsLive(id))).ToArray();
        _partitions[topicPartition] = Promote(state with { Isr = isr }, nodeId, unclean);
        return null;
    }

    private void ElectOfflineWith(int nodeId)
    {
        foreach (var state in Sorted())
        {
            if (state.Leader == PartitionState.NoLeader && state.Isr.Contains(nodeId))
            {
                _partitions[state.TopicPartition] = Promote(state, nodeId, unclean: false);
            }
        }
    }

    private PartitionState ElectFrom(PartitionState state, bool allowUnclean)
    {
        foreach (var id in state.Replicas)
        {
            if (state.Isr.Contains(id) && IsLive(id))
            {
                return Promote(state, id, unclean: false);
            }
        }

        if (allowUnclean && state.Replicas.FirstOrDefault(IsLive, PartitionState.NoLeader) is var chosen and not PartitionState.NoLeader)
        {
            return Promote(state with { Isr = [chosen] }, chosen, unclean: true);
        }

        return Promote(state, PartitionState.NoLeader, unclean: false);
    }

    private PartitionState Promote(PartitionState state, int leader, bool unclean)
    {
        var next = state with { Leader = leader, LeaderEpoch = state.LeaderEpoch + 1, PartitionEpoch = state.PartitionEpoch + 1 };
        _elections.Add(new LeaderElection(state.TopicPartition, state.Leader, leader, next.LeaderEpoch, unclean));
        return next;
    }

    private bool IsLive(int id) => _brokers.TryGetValue(id, out var broker) && !broker.IsFenced;

    private IEnumerable<PartitionState> Sorted()
        => _partitions.Values.OrderBy(s => s.Topic, StringComparer.Ordinal).ThenBy(s => s.Partition).ToArray();
}

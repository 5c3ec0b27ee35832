using CommitLog.Replication.Control;

namespace CommitLog.Replication.Cluster;

/// <summary>
/// One node of a replicated CommitLog cluster: a <see cref="CommitLog.Broker"/> whose topics are replicated to other
/// nodes over an <see cref="Transport.IReplicationTransport"/>, with leaders and in-sync replicas decided by an
/// <see cref="IControlPlane"/> (Kafka's ISR model). Use <see cref="Broker"/> as usual: a producer on any node reaches the
/// partition's leader (<c>acks=all</c> completes once every in-sync replica has the records), and a consumer reads the
/// node's own replica below its high watermark. Dispose it to leave the cluster and close the broker cleanly.
/// </summary>
/// <remarks>Every topic created through <see cref="CreateTopicAsync"/> exists on every node (partitions a node holds no
/// replica of stay empty there). Topics created directly on the broker are not replicated and cannot be produced to.</remarks>
public sealed class ClusterNode : IAsyncDisposable
{
    private readonly NodeHost _host;
    private int _disposed;

    private ClusterNode(NodeHost host, Broker broker)
    {
        _host = host;
        Broker = broker;
    }

    /// <summary>Gets this node's id.</summary>
    public int NodeId => _host.NodeId;

    /// <summary>Gets this node's broker: create producers and consumers through it.</summary>
    public Broker Broker { get; }

    /// <summary>Gets the cluster metadata this node has applied (nodes, topics, each partition's leader and ISR).</summary>
    public ClusterMetadata Metadata => _host.Metadata;

    /// <summary>Gets the partitions this node leads whose ISR is smaller than their replica set (Kafka UnderReplicatedPartitions).</summary>
    public int UnderReplicatedPartitions => _host.CoreMetrics.UnderReplicatedPartitions;

    /// <summary>
    /// Opens the node's broker on <see cref="ClusterNodeOptions.DataDirectory"/>, listens on
    /// <see cref="ClusterNodeOptions.ListenAddress"/>, starts the control plane and begins replicating.
    /// </summary>
    /// <param name="options">The settings.</param>
    /// <param name="cancellationToken">Cancels starting; the node is then closed again.</param>
    /// <returns>The running node; dispose it.</returns>
    /// <exception cref="ArgumentException">A setting is invalid (the message names it); an <see cref="ArgumentOutOfRangeException"/>
    /// for <c>max.message.bytes</c> when the broker's default, or a replicated topic stored in the data directory, allows
    /// batches larger than one transport frame carries (see docs/cluster.md, "Batch size and transport frames").</exception>
    public static async ValueTask<ClusterNode> StartAsync(ClusterNodeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        NodeHost.CheckBrokerDefaults(options);
        var host = new NodeHost(options);
        Broker? broker = null;
        try
        {
            var template = options.BrokerOptions;
            broker = await Broker.OpenAsync(options.DataDirectory, new BrokerOptions
            {
                NodeId = options.NodeId,
                TimeProvider = template.TimeProvider,
                LoggerFactory = template.LoggerFactory,
                GroupInitialRebalanceDelay = template.GroupInitialRebalanceDelay,
                DefaultTopicConfig = template.DefaultTopicConfig,
                OffsetsTopicPartitions = template.OffsetsTopicPartitions,
                OffsetsTopicFlushPolicy = template.OffsetsTopicFlushPolicy,
                LogOptions = template.LogOptions,
                LogCleanerBackoff = template.LogCleanerBackoff,
                Replication = host,
            }, cancellationToken).ConfigureAwait(false);
            await host.StartAsync(broker, cancellationToken).ConfigureAwait(false);
            return new ClusterNode(host, broker);
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            if (broker is not null)
            {
                await broker.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// Creates a replicated topic through the control plane and waits until this node has it. Every node creates its
    /// local copy when the metadata reaches it.
    /// </summary>
    /// <param name="name">The topic name.</param>
    /// <param name="partitions">The number of partitions.</param>
    /// <param name="replicationFactor">The replicas per partition (at most the live nodes).</param>
    /// <param name="minInsyncReplicas">Kafka <c>min.insync.replicas</c> (1 to <paramref name="replicationFactor"/>): an
    /// <c>acks=all</c> write with fewer in-sync replicas fails with NotEnoughReplicas. Default 2 (at most the replication factor).</param>
    /// <param name="uncleanLeaderElection">Kafka <c>unclean.leader.election.enable</c>: whether an out-of-sync replica may
    /// lead when no in-sync one is alive (acknowledged records can be lost). Default false.</param>
    /// <param name="cancellationToken">Cancels waiting (the topic may still be created).</param>
    /// <returns>The topic's settings as committed.</returns>
    public async ValueTask<ReplicatedTopic> CreateTopicAsync(string name, int partitions, int replicationFactor, int minInsyncReplicas = 2,
        bool uncleanLeaderElection = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(minInsyncReplicas, 1);
        if (!_host.IsReplicated(name))
        {
            throw new ArgumentException($"Topic names starting with '__' are reserved for the broker's internal topics (the cluster replicates __consumer_offsets itself): '{name}'.", nameof(name));
        }

        var topic = new ReplicatedTopic(name, partitions, replicationFactor, Math.Min(minInsyncReplicas, replicationFactor), uncleanLeaderElection);
        var committed = await _host.CreateTopicAsync(topic, cancellationToken).ConfigureAwait(false);
        await _host.WaitForMetadataAsync(m => m.Version >= committed.Version && Broker.TryGetPartitionCount(name, out _), cancellationToken)
            .ConfigureAwait(false);
        return committed.Topics[name];
    }

    /// <summary>Waits until a partition has a leader in this node's metadata, and returns its state.</summary>
    /// <param name="topicPartition">The partition.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async ValueTask<PartitionState> WaitForLeaderAsync(TopicPartition topicPartition, CancellationToken cancellationToken = default)
    {
        var metadata = await _host.WaitForMetadataAsync(
            m => m.Partitions.TryGetValue(topicPartition, out var s) && s.Leader != PartitionState.NoLeader, cancellationToken).ConfigureAwait(false);
        return metadata.Partitions[topicPartition];
    }

    /// <summary>Waits until this node's metadata satisfies <paramref name="condition"/> (e.g. a full ISR), and returns it.</summary>
    /// <param name="condition">The condition.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async ValueTask<ClusterMetadata> WaitForMetadataAsync(Func<ClusterMetadata, bool> condition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return await _host.WaitForMetadataAsync(condition, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops replicating (waiting produces fail with a retriable error), disposes the control plane (the node
    /// leaves the cluster), then closes the broker cleanly. The transport stays open: it belongs to the caller.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _host.DisposeAsync().ConfigureAwait(false);
        await Broker.DisposeAsync().ConfigureAwait(false);
    }
}

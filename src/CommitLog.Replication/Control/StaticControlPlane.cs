using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CommitLog.Replication.Control;

/// <summary>
/// A control plane without consensus, for two-node setups: leadership is fixed by configuration (the first replica
/// of each partition leads in epoch 0, every replica in the ISR) and changes only by an explicit
/// <see cref="PromoteAsync"/> on the node that should lead. Each node keeps its own metadata in a small file, changed
/// with the same <see cref="ClusterMetadataState"/> rules as the Raft plane and replaced crash-safely, so a restart
/// keeps promotions. Nothing is shared between nodes here: a demoted leader is fenced by the data plane (its peers
/// refuse its stale leader epoch), see docs/replication-control.md.
/// </summary>
public sealed partial class StaticControlPlane : IControlPlane
{
    private readonly StaticControlPlaneOptions _options;
    private readonly ILogger _logger;
    private readonly ControlPlaneMetrics _metrics;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly MetadataCell _cell = new(ClusterMetadata.Empty);
    private int _state; // 0 new, 1 started, 2 disposed

    /// <summary>Creates the static control plane of one node; <see cref="StartAsync"/> loads or creates its metadata.</summary>
    /// <param name="options">The cluster as configured (validated here).</param>
    public StaticControlPlane(StaticControlPlaneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = options.LoggerFactory?.CreateLogger<StaticControlPlane>() ?? NullLogger<StaticControlPlane>.Instance;
        _metrics = new ControlPlaneMetrics(options.MeterFactory, options.NodeId, static () => false, () => _cell.Current, _logger);
    }

    /// <inheritdoc/>
    public int NodeId => _options.NodeId;

    /// <inheritdoc/>
    /// <remarks>A static plane has no controller: <see cref="ClusterMetadata.ControllerId"/> is -1.</remarks>
    public ClusterMetadata Metadata => _cell.Current;

    internal System.Diagnostics.Metrics.Meter Meter => _metrics.Meter;

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">The metadata file exists but is corrupt (it is left as it is).</exception>
    public async ValueTask StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The control plane was already started or disposed.");
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ClusterMetadata? stored = MetadataFile.Read(_options.Storage, _options.DataDirectory);
            ClusterMetadata metadata = stored ?? ClusterMetadata.Empty;
            foreach ((int nodeId, string address) in _options.Nodes.OrderBy(n => n.Key))
            {
                if (!metadata.Brokers.TryGetValue(nodeId, out BrokerRegistration? known) || known.Address != address || known.IsFenced)
                {
                    metadata = ApplyOrThrow(metadata, new RegisterBroker(nodeId, address));
                }
            }

            foreach (StaticTopicAssignment topic in _options.Topics.Where(t => !metadata.Topics.ContainsKey(t.Topic.Name)))
            {
                metadata = ApplyOrThrow(metadata, new CreateTopic(topic.Topic, topic.Replicas));
            }

            if (stored is null || metadata.Version != stored.Version)
            {
                MetadataFile.Write(_options.Storage, _options.DataDirectory, metadata);
            }

            _cell.Publish(metadata);
            LogStarted(NodeId, metadata.Version, stored is not null);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public ValueTask<ClusterMetadata> WaitForChangeAsync(long afterVersion, CancellationToken cancellationToken = default) =>
        _cell.WaitForChangeAsync(afterVersion, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>Only this node's metadata changes: create the topic on every node (or list it in every node's configuration).</remarks>
    /// <exception cref="InvalidOperationException">The topic exists or its assignment was refused.</exception>
    public async ValueTask<ClusterMetadata> CreateTopicAsync(ReplicatedTopic topic, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        MetadataChange change = await CommitAsync(
            m => new CreateTopic(topic, ClusterMetadataState.AssignReplicas(m, topic.PartitionCount, topic.ReplicationFactor)),
            cancellationToken).ConfigureAwait(false);
        return change.Accepted ? change.Metadata : throw new InvalidOperationException($"Topic '{topic.Name}' was not created: {change.RejectReason}");
    }

    /// <inheritdoc/>
    public async ValueTask<PartitionState> AlterIsrAsync(
        TopicPartition topicPartition, int leaderEpoch, int partitionEpoch, IReadOnlyList<int> isr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(isr);
        if (!Metadata.Partitions.ContainsKey(topicPartition))
        {
            throw new ArgumentException($"Partition {topicPartition} is not a replicated partition known to node {NodeId}.", nameof(topicPartition));
        }

        MetadataChange change = await CommitAsync(_ => new AlterIsr(topicPartition, leaderEpoch, partitionEpoch, isr), cancellationToken).ConfigureAwait(false);
        return change.Metadata.Partitions[topicPartition];
    }

    /// <summary>
    /// Makes this node the leader (leader epoch + 1) of <paramref name="partition"/>, or of every partition it
    /// replicates and does not lead yet (a partition it already leads is left as it is). The previous leader leaves
    /// the ISR. Call it on the surviving node when the leader is gone (an operator or an
    /// external health check decides: a static plane has no failure detection).
    /// </summary>
    /// <param name="partition">The partition, or null for every partition this node replicates.</param>
    /// <param name="allowUnclean">Allow leading from outside the ISR (the ISR becomes this node alone; records
    /// acknowledged only by the old ISR may be lost, which is logged and counted).</param>
    /// <param name="cancellationToken">Cancels waiting for the metadata file.</param>
    /// <returns>The metadata after the promotions.</returns>
    /// <exception cref="ArgumentException">The partition is unknown or this node is not one of its replicas.</exception>
    /// <exception cref="InvalidOperationException">A promotion was refused (e.g. this node is not in the ISR and
    /// <paramref name="allowUnclean"/> is false); promotions of other partitions before it are kept.</exception>
    public async ValueTask<ClusterMetadata> PromoteAsync(TopicPartition? partition = null, bool allowUnclean = false, CancellationToken cancellationToken = default)
    {
        ClusterMetadata current = Metadata;
        TopicPartition[] targets;
        if (partition is { } single)
        {
            if (!current.Partitions.TryGetValue(single, out PartitionState? state) || !state.Replicas.Contains(NodeId))
            {
                throw new ArgumentException($"Node {NodeId} is not a replica of {single}; it can lead only partitions it replicates.", nameof(partition));
            }

            targets = state.Leader == NodeId ? [] : [single];
        }
        else
        {
            targets = [.. current.Partitions.Values.Where(p => p.Replicas.Contains(NodeId) && p.Leader != NodeId).Select(p => p.TopicPartition)];
        }

        foreach (TopicPartition target in targets)
        {
            MetadataChange change = await CommitAsync(_ => new ElectLeader(target, NodeId, allowUnclean), cancellationToken).ConfigureAwait(false);
            if (!change.Accepted)
            {
                throw new InvalidOperationException($"Node {NodeId} was not promoted to lead {target}: {change.RejectReason}");
            }
        }

        return Metadata;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) != 2)
        {
            _metrics.Dispose();
            _gate.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private async Task<MetadataChange> CommitAsync(Func<ClusterMetadata, MetadataCommand> command, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_state == 2, this);
        if (_state != 1)
        {
            throw new InvalidOperationException("StartAsync was not called.");
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ClusterMetadata before = _cell.Current;
            MetadataChange change = ClusterMetadataState.Apply(before, command(before));
            if (change.Accepted)
            {
                MetadataFile.Write(_options.Storage, _options.DataDirectory, change.Metadata);
                _cell.Publish(change.Metadata);
                _metrics.Report(change, before);
            }

            return change;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static ClusterMetadata ApplyOrThrow(ClusterMetadata metadata, MetadataCommand command)
    {
        MetadataChange change = ClusterMetadataState.Apply(metadata, command);
        return change.Accepted
            ? change.Metadata
            : throw new ArgumentException($"The static configuration was refused ({command.GetType().Name}): {change.RejectReason}", "options");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Static control plane node {NodeId} started at metadata version {Version} (from its file: {FromFile})")]
    private partial void LogStarted(int nodeId, long version, bool fromFile);
}

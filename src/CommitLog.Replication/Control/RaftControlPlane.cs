using System.Net;
using System.Net.Security;
using DotNext.Net.Cluster;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.Membership;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using DotNext.Net.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CommitLog.Replication.Control;

/// <summary>
/// The consensus control plane: every member is a Raft voter (DotNext.Net.Cluster over TCP with mutual TLS), the
/// Raft log holds <see cref="MetadataCommand"/> entries, and every node applies the committed ones with
/// <see cref="ClusterMetadataState.Apply"/>, so each node has the metadata locally. The Raft leader is the
/// controller: it registers and unfences members it hears from, and fences a member silent for
/// <see cref="RaftControlPlaneOptions.BrokerSessionTimeout"/> (moving its partitions' leadership within the ISR).
/// Requests on a non-controller are forwarded to the controller and complete once applied locally.
/// </summary>
public sealed partial class RaftControlPlane : IControlPlane
{
    private readonly RaftControlPlaneOptions _options;
    private readonly ILogger _logger;
    private readonly Dictionary<EndPoint, int> _nodeByEndPoint;
    private readonly ControlPlaneMetrics _metrics;
    private readonly CancellationTokenSource _stopping = new();
    private RaftMetadataStateMachine? _stateMachine;
    private WriteAheadLog? _wal;
    private RaftCluster? _cluster;
    private Task _background = Task.CompletedTask;
    private int _state; // 0 new, 1 started, 2 disposed
    private int _lastKnownController = -1;
    private int _previousController = -1;
    private long _leaderLostAt; // when this node last stopped knowing a leader (Environment.TickCount64), 0 while it knows one
    private long _previousControllerLostAt; // when this node lost _previousController as leader

    /// <summary>Creates the control plane of one node; <see cref="StartAsync"/> joins the cluster.</summary>
    /// <param name="options">The node's settings (validated here).</param>
    public RaftControlPlane(RaftControlPlaneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = options.LoggerFactory?.CreateLogger<RaftControlPlane>() ?? NullLogger<RaftControlPlane>.Instance;
        _nodeByEndPoint = options.Members.ToDictionary(m => (EndPoint)m.RaftEndPoint, m => m.NodeId);
        _metrics = new ControlPlaneMetrics(options.MeterFactory, options.NodeId, () => IsController, () => Metadata, _logger);
    }

    /// <inheritdoc/>
    public int NodeId => _options.NodeId;

    /// <inheritdoc/>
    /// <remarks><see cref="ClusterMetadata.ControllerId"/> is the current Raft leader as this node sees it.</remarks>
    public ClusterMetadata Metadata => ClusterMetadataState.WithController(_stateMachine?.Cell.Current ?? ClusterMetadata.Empty, ControllerId);

    /// <summary>Gets the node id of the current Raft leader (the controller) as this node sees it, or -1.</summary>
    public int ControllerId => _cluster?.Leader is { } leader && _nodeByEndPoint.TryGetValue(leader.EndPoint, out int id) ? id : -1;

    /// <summary>Gets whether this node is the controller (the Raft leader).</summary>
    public bool IsController => _cluster?.Leader is { IsRemote: false };

    /// <summary>Gets the meter of this node's control-plane instruments.</summary>
    internal System.Diagnostics.Metrics.Meter Meter => _metrics.Meter;

    /// <inheritdoc/>
    public async ValueTask StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The control plane was already started or disposed.");
        }

        string root = Path.GetFullPath(_options.DataDirectory);
        _stateMachine = new RaftMetadataStateMachine(
            new DirectoryInfo(Path.Combine(root, "snapshots")), _options.SnapshotInterval, _logger);
        await _stateMachine.RestoreAsync(cancellationToken).ConfigureAwait(false);
        _wal = new WriteAheadLog(
            new WriteAheadLog.Options
            {
                Location = Path.Combine(root, "wal"),
                HashAlgorithm = WriteAheadLog.IntegrityHashAlgorithm.Crc32,
            },
            _stateMachine);

        var configuration = new RaftCluster.TcpConfiguration(_options.Self.RaftEndPoint)
        {
            ConfigurationStorage = null!, // DotNext then creates its in-memory storage, filled below
            LowerElectionTimeout = (int)_options.ElectionTimeout.TotalMilliseconds,
            UpperElectionTimeout = (int)_options.ElectionTimeout.TotalMilliseconds * 2,
            HeartbeatThreshold = _options.HeartbeatInterval / _options.ElectionTimeout,
            RequestTimeout = _options.RequestTimeout,
            ConnectTimeout = _options.RequestTimeout,

            // A leader keeps sending heartbeats until its server has shut down; the default (1 s) would hold back the
            // election of its successor by that much when a controller node is disposed.
            GracefulShutdownTimeout = _options.HeartbeatInterval,
            ColdStart = false,
            SslOptions = CreateSslOptions(),
            LoggerFactory = _options.LoggerFactory ?? NullLoggerFactory.Instance,
        };
        var members = (InMemoryClusterConfigurationStorage<EndPoint>)configuration.ConfigurationStorage;
        var builder = members.CreateInitialConfigurationBuilder();
        foreach (ControlPlaneMember member in _options.Members)
        {
            builder.Add(member.RaftEndPoint);
        }

        builder.Build();
        _cluster = new RaftCluster(configuration) { AuditTrail = _wal };
        _cluster.LeaderChanged += OnLeaderChanged;
        await StartRequestServerAsync(cancellationToken).ConfigureAwait(false);
        await _cluster.StartAsync(cancellationToken).ConfigureAwait(false);
        _background = Task.WhenAll(
            Task.Run(() => RunLivenessAsync(_stopping.Token), CancellationToken.None),
            Task.Run(() => RunRequestServerAsync(_stopping.Token), CancellationToken.None));
        LogStarted(NodeId, _options.Self.RaftEndPoint.ToString(), _stateMachine.Cell.Current.Version);
    }

    /// <inheritdoc/>
    public ValueTask<ClusterMetadata> WaitForChangeAsync(long afterVersion, CancellationToken cancellationToken = default)
    {
        RaftMetadataStateMachine stateMachine = _stateMachine ?? throw new InvalidOperationException("StartAsync was not called.");
        return WaitAsync(stateMachine, afterVersion, cancellationToken);

        async ValueTask<ClusterMetadata> WaitAsync(RaftMetadataStateMachine machine, long after, CancellationToken ct) =>
            await machine.Cell.WaitForChangeAsync(after, ct).ConfigureAwait(false) with { ControllerId = ControllerId };
    }

    /// <inheritdoc/>
    /// <remarks>The replicas are assigned from this node's view of the unfenced members; the controller's state machine
    /// rejects the command if that view was stale (the call then throws).</remarks>
    /// <exception cref="InvalidOperationException">The topic was not created (it exists, or the assignment was refused).</exception>
    public async ValueTask<ClusterMetadata> CreateTopicAsync(ReplicatedTopic topic, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        IReadOnlyList<IReadOnlyList<int>> assignment = ClusterMetadataState.AssignReplicas(Metadata, topic.PartitionCount, topic.ReplicationFactor);
        MetadataChange change = await ProposeAsync(new CreateTopic(topic, assignment), cancellationToken).ConfigureAwait(false);
        return change.Accepted
            ? change.Metadata with { ControllerId = ControllerId }
            : throw new InvalidOperationException($"Topic '{topic.Name}' was not created: {change.RejectReason}");
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

        MetadataChange change = await ProposeAsync(new AlterIsr(topicPartition, leaderEpoch, partitionEpoch, isr), cancellationToken).ConfigureAwait(false);
        return change.Metadata.Partitions[topicPartition];
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await StopRequestServerAsync().ConfigureAwait(false);
        await _background.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_cluster is not null)
        {
            _cluster.LeaderChanged -= OnLeaderChanged;
            await _cluster.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _cluster.DisposeAsync().ConfigureAwait(false);
        }

        if (_wal is not null)
        {
            await _wal.DisposeAsync().ConfigureAwait(false);
        }

        if (_stateMachine is not null)
        {
            await _stateMachine.DisposeAsync().ConfigureAwait(false);
        }

        _metrics.Dispose();
        _stopping.Dispose();
    }

    private SslOptions CreateSslOptions()
    {
        var context = SslStreamCertificateContext.Create(_options.Tls.Certificate, additionalCertificates: null);
        var ssl = new SslOptions();
        ssl.ServerOptions.ServerCertificateContext = context;
        ssl.ServerOptions.ClientCertificateRequired = true;
        ssl.ServerOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Trust(certificate, chain, errors, "inbound");
        ssl.ClientOptions.TargetHost = _options.Tls.TargetHost;
        ssl.ClientOptions.ClientCertificateContext = context;
        ssl.ClientOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Trust(certificate, chain, errors, "outbound");
        return ssl;
    }

    private bool Trust(System.Security.Cryptography.X509Certificates.X509Certificate? certificate,
        System.Security.Cryptography.X509Certificates.X509Chain? chain, SslPolicyErrors errors, string direction)
    {
        if (_options.Tls.IsTrusted(certificate, chain, errors))
        {
            return true;
        }

        _metrics.RefusedPeer();
        LogRefusedPeer(direction, certificate?.Subject ?? "(no certificate)");
        return false;
    }

    private void OnLeaderChanged(ICluster cluster, IClusterMember? leader)
    {
        // The member the event names, not _cluster.Leader: the event can run before that property changes.
        int controller = leader is not null && _nodeByEndPoint.TryGetValue(leader.EndPoint, out int id) ? id : -1;
        if (controller >= 0)
        {
            long lostAt = Interlocked.Exchange(ref _leaderLostAt, 0);
            int known = Interlocked.Exchange(ref _lastKnownController, controller);
            if (known != controller && known >= 0)
            {
                Volatile.Write(ref _previousControllerLostAt, lostAt != 0 ? lostAt : Environment.TickCount64);
                Volatile.Write(ref _previousController, known);
            }
        }
        else
        {
            // The first moment without a leader: this node's election timer ran out (or it voted in an election whose
            // candidate's timer did), so nobody had heard from the old leader for an election timeout.
            Interlocked.CompareExchange(ref _leaderLostAt, Environment.TickCount64, 0);
        }

        LogLeaderChanged(NodeId, controller);
    }
}

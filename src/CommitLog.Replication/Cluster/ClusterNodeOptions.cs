using CommitLog.Replication.Control;
using CommitLog.Replication.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CommitLog.Replication.Cluster;

/// <summary>
/// Settings of a <see cref="ClusterNode"/>: who it is, where its data lives, how it reaches its peers and which control
/// plane decides leaders and in-sync replicas. Replication settings carry Kafka's names and defaults.
/// </summary>
public sealed class ClusterNodeOptions
{
    /// <summary>Gets this node's id (Kafka <c>node.id</c>, 0 to 1023); the transport's <see cref="IReplicationTransport.NodeId"/>
    /// must be the same number in decimal.</summary>
    public required int NodeId { get; init; }

    /// <summary>Gets the directory of this node's broker (its topics' partition logs).</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Gets the address this node's replication listener accepts peers on (for TCP <c>host:port</c>); it must be
    /// the address the control plane registers for this node, since peers dial what the metadata says.</summary>
    public required string ListenAddress { get; init; }

    /// <summary>Gets the transport between nodes (authenticated TCP, or the in-memory network in tests).</summary>
    public required IReplicationTransport Transport { get; init; }

    /// <summary>Gets the control plane: who leads each partition and which replicas are in sync. The node starts it.</summary>
    public required IControlPlane ControlPlane { get; init; }

    /// <summary>Gets Kafka <c>replica.lag.time.max.ms</c>: a follower that has not caught up with the leader for this long
    /// leaves the ISR. Default 30 s.</summary>
    public TimeSpan ReplicaLagTimeMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets Kafka <c>replica.fetch.max.bytes</c>: the most record bytes a follower fetches per partition and
    /// request (at least one whole batch is returned). Default 1 MiB; capped to what one transport frame carries.</summary>
    public int ReplicaFetchMaxBytes { get; init; } = 1024 * 1024;

    /// <summary>Gets Kafka <c>replica.fetch.wait.max.ms</c>: how long a leader holds the fetch of a follower that has
    /// caught up before it answers empty (a new append answers it at once). Default 500 ms.</summary>
    public TimeSpan ReplicaFetchWaitMax { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets Kafka <c>request.timeout.ms</c>: how long a produce forwarded to the leader, or an <c>acks=all</c>
    /// produce waiting for the in-sync replicas, may take before it fails with a retriable timeout. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the settings of this node's broker (everything but the node id and the replication seam, which the node
    /// sets). Default <see cref="BrokerOptions.Default"/>.</summary>
    public BrokerOptions BrokerOptions { get; init; } = BrokerOptions.Default;

    /// <summary>Gets the logger factory; category <c>CommitLog.Cluster</c>. Default: no logging.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Gets the clock for ticks, timeouts and backoff. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Checks every setting; throws naming the first bad one and what is allowed.</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(NodeId, nameof(NodeId));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(NodeId, Broker.MaxClusterNodes, nameof(NodeId));
        ArgumentException.ThrowIfNullOrWhiteSpace(DataDirectory, nameof(DataDirectory));
        ArgumentException.ThrowIfNullOrWhiteSpace(ListenAddress, nameof(ListenAddress));
        ArgumentNullException.ThrowIfNull(Transport, nameof(Transport));
        ArgumentNullException.ThrowIfNull(ControlPlane, nameof(ControlPlane));
        ArgumentNullException.ThrowIfNull(BrokerOptions, nameof(BrokerOptions));
        ArgumentNullException.ThrowIfNull(LoggerFactory, nameof(LoggerFactory));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        var id = NodeId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (Transport.NodeId != id || ControlPlane.NodeId != NodeId)
        {
            throw new ArgumentException(
                $"The transport's node id '{Transport.NodeId}' and the control plane's node id {ControlPlane.NodeId} must both be this node's id {NodeId}.",
                nameof(Transport));
        }

        Positive(ReplicaLagTimeMax, nameof(ReplicaLagTimeMax), "replica.lag.time.max.ms");
        Positive(RequestTimeout, nameof(RequestTimeout), "request.timeout.ms");
        if (ReplicaFetchWaitMax < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ReplicaFetchWaitMax), ReplicaFetchWaitMax,
                "ReplicaFetchWaitMax (replica.fetch.wait.max.ms) must be zero or more.");
        }

        if (ReplicaFetchMaxBytes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ReplicaFetchMaxBytes), ReplicaFetchMaxBytes,
                "ReplicaFetchMaxBytes (replica.fetch.max.bytes) must be positive.");
        }
    }

    private static void Positive(TimeSpan value, string name, string kafkaName)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} ({kafkaName}) must be positive.");
        }
    }
}

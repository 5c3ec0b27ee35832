using System.Diagnostics.Metrics;
using CommitLog.Replication.Tcp;
using Microsoft.Extensions.Logging;

namespace CommitLog.Replication.Control;

/// <summary>Settings of a <see cref="RaftControlPlane"/>. Every node lists the same <see cref="Members"/>.</summary>
public sealed class RaftControlPlaneOptions
{
    /// <summary>This node's id; must be one of <see cref="Members"/>.</summary>
    public required int NodeId { get; init; }

    /// <summary>Every voter of the cluster, this node included (three or five nodes for a fault-tolerant quorum).</summary>
    public required IReadOnlyList<ControlPlaneMember> Members { get; init; }

    /// <summary>Where this node keeps its Raft log (<c>wal/</c>) and metadata snapshots (<c>snapshots/</c>); a restart resumes from it.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Mutual TLS for Raft traffic and forwarded requests (required: a peer without a trusted certificate gets nothing).</summary>
    public required TcpTlsOptions Tls { get; init; }

    /// <summary>The pre-shared cluster secret (at least 16 bytes) that the forwarded-request channel checks on top of TLS.</summary>
    public required ReadOnlyMemory<byte> ClusterSecret { get; init; }

    /// <summary>
    /// Lower bound of the randomized Raft election timeout (default 1 s, like Kafka's
    /// <c>controller.quorum.election.timeout.ms</c>); each timeout is drawn from [ElectionTimeout, 2 × ElectionTimeout).
    /// </summary>
    public TimeSpan ElectionTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the Raft leader sends heartbeats (default 200 ms; must be below <see cref="ElectionTimeout"/>).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The controller fences a node it has not heard from (no successful Raft heartbeat) for this long, and moves its
    /// partitions' leadership to other ISR members (default 1.5 s, chosen so a dead leader is replaced within the
    /// election timeout plus 2 s even when it was the controller too; Kafka's <c>broker.session.timeout.ms</c> is 9 s:
    /// raise it where GC or I/O pauses can last that long). A new controller counts the previous controller's session
    /// from one election timeout before its own election.
    /// </summary>
    public TimeSpan BrokerSessionTimeout { get; init; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>How long a Raft request or a forwarded request may take before it is retried (default 1 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A metadata snapshot is written every this many log entries, so the log can be compacted (default 1,000).</summary>
    public int SnapshotInterval { get; init; } = 1000;

    /// <summary>Where elections, fencing and refused peers are logged; nothing is logged when null.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Creates the "CommitLog" meter; a private meter is created when null.</summary>
    public IMeterFactory? MeterFactory { get; init; }

    internal ControlPlaneMember Self => Members.Single(m => m.NodeId == NodeId);

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Members);
        ArgumentException.ThrowIfNullOrEmpty(DataDirectory);
        ArgumentNullException.ThrowIfNull(Tls);
        Tls.Validate();
        if (Members.Select(m => m.NodeId).Distinct().Count() != Members.Count || Members.Any(m => m.NodeId < 0))
        {
            throw new ArgumentException("Members must have distinct, non-negative node ids.", nameof(Members));
        }

        if (Members.Select(m => m.RaftEndPoint).Distinct().Count() != Members.Count)
        {
            throw new ArgumentException("Members must have distinct Raft end points.", nameof(Members));
        }

        if (Members.All(m => m.NodeId != NodeId))
        {
            throw new ArgumentException($"NodeId {NodeId} is not one of Members ({string.Join(", ", Members.Select(m => m.NodeId))}).", nameof(NodeId));
        }

        if (ClusterSecret.Length < 16)
        {
            throw new ArgumentException($"ClusterSecret must be at least 16 bytes; it is {ClusterSecret.Length}.", nameof(ClusterSecret));
        }

        if (ElectionTimeout < TimeSpan.FromMilliseconds(10) || ElectionTimeout > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(nameof(ElectionTimeout), ElectionTimeout, "ElectionTimeout must be 10 ms to 1 minute.");
        }

        if (HeartbeatInterval <= TimeSpan.Zero || HeartbeatInterval >= ElectionTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(HeartbeatInterval), HeartbeatInterval, $"HeartbeatInterval must be positive and below ElectionTimeout ({ElectionTimeout}).");
        }

        if (BrokerSessionTimeout <= HeartbeatInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(BrokerSessionTimeout), BrokerSessionTimeout, $"BrokerSessionTimeout must be longer than HeartbeatInterval ({HeartbeatInterval}).");
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, "RequestTimeout must be positive.");
        }

        if (SnapshotInterval < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(SnapshotInterval), SnapshotInterval, "SnapshotInterval must be at least 1.");
        }
    }
}

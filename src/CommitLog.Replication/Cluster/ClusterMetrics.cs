using System.Diagnostics.Metrics;

namespace CommitLog.Replication.Cluster;

/// <summary>
/// A cluster node's instruments on the "CommitLog" meter: <c>commitlog.cluster.connections.lost</c> (connections to or
/// from peers that closed) and <c>commitlog.cluster.role.changes</c> (tag <c>role</c>: leader, follower, offline; Kafka's
/// LeaderCount changes as seen by one node) and <c>commitlog.cluster.fetch.oversized</c> (fetch answers this leader could not
/// send because a stored batch is larger than a transport frame carries; answered MessageTooLarge).
/// </summary>
internal sealed class ClusterMetrics : IDisposable
{
    private readonly Meter _meter = new("CommitLog");
    private readonly Counter<long> _connectionsLost;
    private readonly Counter<long> _roleChanges;
    private readonly Counter<long> _oversizedFetches;

    public ClusterMetrics()
    {
        _connectionsLost = _meter.CreateCounter<long>("commitlog.cluster.connections.lost", "{connection}",
            "Replication connections to or from peer nodes that closed.");
        _roleChanges = _meter.CreateCounter<long>("commitlog.cluster.role.changes", "{change}",
            "Partition role changes on this node, by new role (leader, follower, offline).");
        _oversizedFetches = _meter.CreateCounter<long>("commitlog.cluster.fetch.oversized", "{answer}",
            "Fetch answers refused with MessageTooLarge because a stored batch does not fit one transport frame.");
    }

    /// <summary>Gets the meter the instruments are on.</summary>
    public Meter Meter => _meter;

    public void ConnectionLost() => _connectionsLost.Add(1);

    public void RoleChanged(string role) => _roleChanges.Add(1, new KeyValuePair<string, object?>("role", role));

    public void OversizedFetch() => _oversizedFetches.Add(1);

    public void Dispose() => _meter.Dispose();
}

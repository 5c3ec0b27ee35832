namespace CommitLog.Replication.Control;

/// <summary>A node known to the control plane.</summary>
/// <param name="NodeId">The node id (non-negative, unique in the cluster).</param>
/// <param name="Address">The address its replication listener accepts connections on (transport specific, e.g. <c>host:port</c>).</param>
/// <param name="IsFenced">True while the node is considered dead (no heartbeat within the session timeout) or has not
/// registered yet: it leads nothing and is in no ISR.</param>
public sealed record BrokerRegistration(int NodeId, string Address, bool IsFenced);

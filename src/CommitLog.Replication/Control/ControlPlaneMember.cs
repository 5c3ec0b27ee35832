using System.Net;

namespace CommitLog.Replication.Control;

/// <summary>One voter of the Raft control plane, as every node's configuration lists it.</summary>
/// <param name="NodeId">The node id (non-negative, unique).</param>
/// <param name="RaftEndPoint">Where the node's Raft (DotNext TCP, mutual TLS) listener accepts peers.</param>
/// <param name="RequestAddress">Where the node accepts forwarded control requests (<c>host:port</c>, CommitLog TCP
/// transport: cluster secret, plus TLS when configured).</param>
/// <param name="BrokerAddress">The node's replication (data plane) address, registered in the metadata.</param>
public sealed record ControlPlaneMember(int NodeId, IPEndPoint RaftEndPoint, string RequestAddress, string BrokerAddress);

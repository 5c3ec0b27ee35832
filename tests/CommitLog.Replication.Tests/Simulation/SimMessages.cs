using CommitLog.Replication.Control;
using CommitLog.Replication.Replica;

namespace CommitLog.Replication.Tests.Simulation;

/// <summary>A node's heartbeat to the controller.</summary>
internal sealed record Heartbeat(int NodeId, long KnownVersion);

/// <summary>The controller's metadata, pushed on change and in answer to heartbeats and ISR changes.</summary>
internal sealed record MetadataPush(ClusterMetadata Metadata);

/// <summary>A leader's ISR change travelling to the controller.</summary>
internal sealed record AlterIsrMessage(AlterIsrRequest Request);

/// <summary>The controller's answer to an ISR change it refused while the partition stayed as the request saw it.</summary>
internal sealed record AlterIsrRefused(AlterIsrRequest Request);

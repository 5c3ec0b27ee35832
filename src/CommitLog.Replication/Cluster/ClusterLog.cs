using Microsoft.Extensions.Logging;

namespace CommitLog.Replication.Cluster;

/// <summary>Every log line of a cluster node (category <c>CommitLog.Cluster</c>). Event ids 5000-5099.</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(5000, LogLevel.Information, "Node {NodeId} started: listening on {Address}")]
    public static partial void Started(ILogger logger, int nodeId, string address);

    [LoggerMessage(5001, LogLevel.Information, "Node {NodeId} now leads {Topic}-{Partition} in leader epoch {LeaderEpoch} (ISR {Isr})")]
    public static partial void BecameLeader(ILogger logger, int nodeId, string topic, int partition, int leaderEpoch, string isr);

    [LoggerMessage(5002, LogLevel.Information, "Node {NodeId} now follows node {Leader} for {Topic}-{Partition} in leader epoch {LeaderEpoch}")]
    public static partial void BecameFollower(ILogger logger, int nodeId, int leader, string topic, int partition, int leaderEpoch);

    [LoggerMessage(5003, LogLevel.Warning, "Node {NodeId}: {Topic}-{Partition} has no leader (no in-sync replica is alive)")]
    public static partial void Offline(ILogger logger, int nodeId, string topic, int partition);

    [LoggerMessage(5004, LogLevel.Information, "Node {NodeId} connected to node {Peer} at {Address}")]
    public static partial void Connected(ILogger logger, int nodeId, int peer, string address);

    [LoggerMessage(5005, LogLevel.Warning, "Node {NodeId} lost its connection to node {Peer}: {Reason}")]
    public static partial void ConnectionLost(ILogger logger, int nodeId, int peer, string reason);

    [LoggerMessage(5006, LogLevel.Warning, "Node {NodeId} dropped a connection from '{Peer}': {Reason}")]
    public static partial void Refused(ILogger logger, int nodeId, string peer, string reason);

    [LoggerMessage(5007, LogLevel.Error, "Node {NodeId}: the replication core failed while handling {What}")]
    public static partial void CoreFailed(ILogger logger, Exception exception, int nodeId, string what);

    [LoggerMessage(5008, LogLevel.Warning, "Node {NodeId}: the ISR change of {Topic}-{Partition} to {Isr} failed")]
    public static partial void AlterIsrFailed(ILogger logger, Exception exception, int nodeId, string topic, int partition, string isr);

    [LoggerMessage(5009, LogLevel.Error, "Node {NodeId}: the metadata loop failed; retrying")]
    public static partial void MetadataFailed(ILogger logger, Exception exception, int nodeId);

    [LoggerMessage(5010, LogLevel.Information, "Node {NodeId} stopped")]
    public static partial void Stopped(ILogger logger, int nodeId);

    [LoggerMessage(5011, LogLevel.Information, "Node {NodeId} no longer leads {Topic}-{Partition}: it stopped coordinating groups {Groups}; their members rejoin at the new coordinator")]
    public static partial void GroupsDropped(ILogger logger, int nodeId, string topic, int partition, string groups);

    [LoggerMessage(5013, LogLevel.Error, "Node {NodeId}: the batch at offset {Offset} of {Topic}-{Partition} is {Size} bytes, larger than the {Budget} bytes a fetch answer can carry in one transport frame (MaxFrameBytes {MaxFrameBytes}); followers are answered MessageTooLarge and cannot copy it. It was written under a larger max.message.bytes: raise MaxFrameBytes on every node to replicate it")]
    public static partial void OversizedBatch(ILogger logger, int nodeId, string topic, int partition, long offset, int size, int budget, int maxFrameBytes);

    [LoggerMessage(5012, LogLevel.Warning, "Node {NodeId}: serving a forwarded {Request} of group {GroupId} from node {Peer} failed; the member's node times out and retries")]
    public static partial void CoordinatorRequestFailed(ILogger logger, Exception exception, int nodeId, string request, string groupId, int peer);
}

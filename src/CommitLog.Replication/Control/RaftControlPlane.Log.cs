using Microsoft.Extensions.Logging;

namespace CommitLog.Replication.Control;

/// <content>Log messages.</content>
public sealed partial class RaftControlPlane
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Control plane node {NodeId} started on {EndPoint} with metadata version {Version} from its log")]
    private partial void LogStarted(int nodeId, string endPoint, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {NodeId}: controller is now node {ControllerId}")]
    private partial void LogLeaderChanged(int nodeId, int controllerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Direction} Raft peer with an untrusted certificate {Subject}")]
    private partial void LogRefusedPeer(string direction, string subject);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Submitting a control request to controller {ControllerId} failed, will retry: {Reason}")]
    private partial void LogSubmitFailed(int controllerId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Controller: {Command} node {NodeId}")]
    private partial void LogLiveness(string command, int nodeId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Controller liveness check failed, will retry: {Reason}")]
    private partial void LogLivenessFailed(string reason);
}

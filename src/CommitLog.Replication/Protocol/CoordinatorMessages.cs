using CommitLog.Groups;
using CommitLog.Groups.Coordinator;
using CommitLog.Storage;

namespace CommitLog.Replication.Protocol;

// Group-coordinator messages between cluster nodes: a member's node forwards its group requests to the node that
// coordinates the group (the leader of the group's __consumer_offsets partition) and gets the coordinator's answer back.
// The bodies are the coordinator's own request and response records (Kafka's JoinGroup, SyncGroup, Heartbeat,
// LeaveGroup, OffsetCommit), so a forwarded request is served by the same code as a member in the coordinator's process.

/// <summary>A group-coordinator message between nodes; requests travel over the connection the sender dialed, answers back on it.</summary>
/// <param name="CorrelationId">Chosen by the requester; echoed in the response.</param>
internal abstract record CoordinatorMessage(int CorrelationId) : ReplicationMessage(CorrelationId);

/// <summary>A forwarded JoinGroup.</summary>
/// <param name="CorrelationId">The requester's id.</param>
/// <param name="Request">The member's request.</param>
internal sealed record CoordinatorJoinRequest(int CorrelationId, JoinGroupRequest Request) : CoordinatorMessage(CorrelationId);

/// <summary>The coordinator's JoinGroup answer.</summary>
/// <param name="CorrelationId">The request's id.</param>
/// <param name="Response">The answer.</param>
internal sealed record CoordinatorJoinResponse(int CorrelationId, JoinGroupResponse Response) : CoordinatorMessage(CorrelationId);

/// <summary>A forwarded SyncGroup.</summary>
/// <param name="CorrelationId">The requester's id.</param>
/// <param name="Request">The member's request.</param>
internal sealed record CoordinatorSyncRequest(int CorrelationId, SyncGroupRequest Request) : CoordinatorMessage(CorrelationId);

/// <summary>The coordinator's SyncGroup answer.</summary>
/// <param name="CorrelationId">The request's id.</param>
/// <param name="Response">The answer.</param>
internal sealed record CoordinatorSyncResponse(int CorrelationId, SyncGroupResponse Response) : CoordinatorMessage(CorrelationId);

/// <summary>A forwarded Heartbeat.</summary>
/// <param name="CorrelationId">The requester's id.</param>
/// <param name="Request">The member's request.</param>
internal sealed record CoordinatorHeartbeatRequest(int CorrelationId, HeartbeatRequest Request) : CoordinatorMessage(CorrelationId);

/// <summary>The coordinator's Heartbeat answer.</summary>
/// <param name="CorrelationId">The request's id.</param>
/// <param name="Error">None or the error.</param>
internal sealed record CoordinatorHeartbeatResponse(int CorrelationId, ErrorCode Error) : CoordinatorMessage(CorrelationId);

/// <summary>A forwarded LeaveGroup.</summary>
/// <param name="CorrelationId">The requester's id.</param>
/// <param name="GroupId">The group.</param>
/// <param name="Members">The members that leave.</param>
internal sealed record CoordinatorLeaveRequest(int CorrelationId, string GroupId, IReadOnlyList<LeaveGroupMember> Members)
    : CoordinatorMessage(CorrelationId);

/// <summary>The coordinator's LeaveGroup answer.</summary>
/// <param name="CorrelationId">The request's id.</param>
/// <param name="Errors">Each member's error, in order.</param>
internal sealed record CoordinatorLeaveResponse(int CorrelationId, IReadOnlyList<ErrorCode> Errors) : CoordinatorMessage(CorrelationId);

/// <summary>A forwarded offset commit.</summary>
/// <param name="CorrelationId">The requester's id.</param>
/// <param name="GroupId">The group.</param>
/// <param name="Generation">The committing member's generation.</param>
/// <param name="Offsets">The offsets.</param>
internal sealed record CoordinatorCommitRequest(int CorrelationId, string GroupId, GroupGeneration Generation, IReadOnlyList<OffsetCommit> Offsets)
    : CoordinatorMessage(CorrelationId);

/// <summary>The coordinator's answer to a commit.</summary>
/// <param name="CorrelationId">The request's id.</param>
/// <param name="Error">None when the commit is stored, else why not.</param>
/// <param name="Retriable">Whether the same commit may succeed when retried.</param>
/// <param name="Message">The coordinator's explanation (empty on success).</param>
internal sealed record CoordinatorCommitResponse(int CorrelationId, ErrorCode Error, bool Retriable, string Message) : CoordinatorMessage(CorrelationId);

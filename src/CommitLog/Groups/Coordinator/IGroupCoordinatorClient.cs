using CommitLog.Storage;

namespace CommitLog.Groups.Coordinator;

/// <summary>
/// How a group member reaches its group's coordinator: the broker's own <see cref="GroupCoordinator"/> on a standalone
/// broker, or, on a cluster node, the coordinator of the group wherever it runs (in process when this node leads the
/// group's <c>__consumer_offsets</c> partition, else over the replication transport). Errors come back as Kafka's error
/// codes in the answers; a client never throws for an unreachable coordinator (it answers
/// <see cref="ErrorCode.CoordinatorNotAvailable"/> or <see cref="ErrorCode.NotCoordinator"/>, which the member retries).
/// </summary>
internal interface IGroupCoordinatorClient
{
    /// <summary>Sends JoinGroup; the task completes with the coordinator's answer (when the group's rebalance does).</summary>
    /// <param name="request">The request.</param>
    /// <returns>The answer.</returns>
    /// <exception cref="ObjectDisposedException">The broker is closing.</exception>
    Task<JoinGroupResponse> JoinGroup(JoinGroupRequest request);

    /// <summary>Sends SyncGroup; the task completes with the coordinator's answer (when the leader's assignment is in).</summary>
    /// <param name="request">The request.</param>
    /// <returns>The answer.</returns>
    /// <exception cref="ObjectDisposedException">The broker is closing.</exception>
    Task<SyncGroupResponse> SyncGroup(SyncGroupRequest request);

    /// <summary>Sends Heartbeat. An in-process coordinator answers synchronously (the returned task is complete); a remote
    /// one answers later, and never later than the member's session timeout.</summary>
    /// <param name="request">The request.</param>
    /// <returns>None, RebalanceInProgress, IllegalGeneration, UnknownMemberId, FencedInstanceId, or a coordinator error.</returns>
    /// <exception cref="ObjectDisposedException">The broker is closing.</exception>
    ValueTask<ErrorCode> HeartbeatAsync(HeartbeatRequest request);

    /// <summary>Sends LeaveGroup without waiting for a remote coordinator's answer (a lost leave only delays the rebalance
    /// until the member's session timeout).</summary>
    /// <param name="groupId">The group.</param>
    /// <param name="members">The members that leave.</param>
    /// <exception cref="ObjectDisposedException">The broker is closing.</exception>
    void Leave(string groupId, IReadOnlyList<LeaveGroupMember> members);
}

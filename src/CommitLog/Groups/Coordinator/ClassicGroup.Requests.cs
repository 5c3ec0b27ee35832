using CommitLog.Groups.Assignors;
using CommitLog.Storage;

namespace CommitLog.Groups.Coordinator;

/// <content>SyncGroup, Heartbeat, LeaveGroup, the offset-commit check and the admin views.</content>
internal sealed partial class ClassicGroup
{
    /// <summary>Handles a SyncGroup request; <paramref name="respond"/> is called now or when the leader's assignment arrives.</summary>
    public void Sync(SyncGroupRequest request, Action<SyncGroupResponse> respond)
    {
        ErrorCode error = State == GroupState.Dead ? ErrorCode.UnknownMemberId : ValidateMember(request.MemberId, request.GroupInstanceId);
        if (error == ErrorCode.None && request.GenerationId != GenerationId)
        {
            error = ErrorCode.IllegalGeneration;
        }

        if (error == ErrorCode.None
            && ((request.ProtocolType is not null && !string.Equals(request.ProtocolType, ProtocolType, StringComparison.Ordinal))
                || (request.ProtocolName is not null && !string.Equals(request.ProtocolName, ProtocolName, StringComparison.Ordinal))))
        {
            error = ErrorCode.InconsistentGroupProtocol;
        }

        if (error != ErrorCode.None)
        {
            respond(SyncGroupResponse.Failed(error));
            return;
        }

        GroupMember member = _byId[request.MemberId];
        member.LastSeen = Now;
        switch (State)
        {
            case GroupState.PreparingRebalance:
                respond(SyncGroupResponse.Failed(ErrorCode.RebalanceInProgress));
                break;
            case GroupState.CompletingRebalance:
                member.PendingSync?.Invoke(SyncGroupResponse.Failed(ErrorCode.RebalanceInProgress));
                member.PendingSync = respond;
                if (IsLeader(member))
                {
                    CompleteSync(request.Assignments);
                }

                break;
            default:
                respond(new SyncGroupResponse(ErrorCode.None, ProtocolType, ProtocolName, member.Assignment));
                break;
        }
    }

    /// <summary>Handles a Heartbeat request.</summary>
    public ErrorCode Heartbeat(HeartbeatRequest request)
    {
        if (State == GroupState.Dead)
        {
            return ErrorCode.UnknownMemberId;
        }

        ErrorCode error = ValidateMember(request.MemberId, request.GroupInstanceId);
        if (error != ErrorCode.None)
        {
            return error;
        }

        if (request.GenerationId != GenerationId)
        {
            return ErrorCode.IllegalGeneration;
        }

        _byId[request.MemberId].LastSeen = Now;
        return State == GroupState.PreparingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None;
    }

    /// <summary>Handles one member of a LeaveGroup request: by member id, or by static id alone (admin removal).</summary>
    public ErrorCode Leave(LeaveGroupMember leaving)
    {
        GroupMember? member;
        if (leaving.MemberId.Length == 0)
        {
            if (leaving.GroupInstanceId is null || !_byInstanceId.TryGetValue(leaving.GroupInstanceId, out member))
            {
                return ErrorCode.UnknownMemberId;
            }
        }
        else
        {
            ErrorCode error = ValidateMember(leaving.MemberId, leaving.GroupInstanceId);
            if (error != ErrorCode.None)
            {
                return error;
            }

            member = _byId[leaving.MemberId];
        }

        RemoveMember(member, leaving.Reason);
        return ErrorCode.None;
    }

    /// <summary>
    /// Whether a member may commit offsets now (Kafka's offset-commit validation): a consumer outside any generation only
    /// while the group has no members; a member only with its current member id, static id and generation, and not while
    /// the group waits for the leader's assignment.
    /// </summary>
    public ErrorCode CheckCommit(GroupGeneration generation)
    {
        if (generation.IsNone && generation.MemberId.Length == 0 && generation.GroupInstanceId is null)
        {
            return _members.Count == 0 ? ErrorCode.None : ErrorCode.UnknownMemberId;
        }

        ErrorCode error = State == GroupState.Dead ? ErrorCode.UnknownMemberId : ValidateMember(generation.MemberId, generation.GroupInstanceId);
        if (error != ErrorCode.None)
        {
            return error;
        }

        if (generation.GenerationId != GenerationId)
        {
            return ErrorCode.IllegalGeneration;
        }

        return State == GroupState.CompletingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None;
    }

    /// <summary>Marks the group deleted; only an empty group may be.</summary>
    public ErrorCode MarkDead()
    {
        if (_members.Count > 0)
        {
            return ErrorCode.NonEmptyGroup;
        }

        State = GroupState.Dead;
        return ErrorCode.None;
    }

    /// <summary>Answers every waiting join and sync with <paramref name="error"/>: UnknownMemberId when the coordinator is
    /// closing (the members' retries meet the closed coordinator), NotCoordinator when a cluster node gives the group up.</summary>
    public void AbortWaiting(ErrorCode error = ErrorCode.UnknownMemberId)
    {
        foreach (GroupMember member in _members)
        {
            Action<JoinGroupResponse>? join = member.PendingJoin;
            member.PendingJoin = null;
            join?.Invoke(JoinGroupResponse.Failed(error, member.MemberId));
            Answer(member, SyncGroupResponse.Failed(error));
        }
    }

    /// <summary>Returns the DescribeGroups view.</summary>
    public GroupDescription Describe()
    {
        bool showProtocol = State is GroupState.Stable or GroupState.CompletingRebalance;
        bool consumer = string.Equals(ProtocolType, ConsumerProtocol.ProtocolType, StringComparison.Ordinal);
        var members = _members.Select(m => new GroupMemberDescription(
            m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost, m.Assignment,
            consumer ? TryDecode(m.Assignment) : [])).ToList();
        return new GroupDescription(
            GroupId, State, ProtocolType ?? string.Empty, showProtocol ? ProtocolName ?? string.Empty : string.Empty, GenerationId,
            Leader ?? string.Empty, members);
    }

    private static IReadOnlyList<TopicPartition> TryDecode(byte[] assignment)
    {
        try
        {
            return ConsumerProtocol.DecodeAssignment(assignment);
        }
        catch (FormatException)
        {
            return [];
        }
    }

    private void CompleteSync(IReadOnlyDictionary<string, byte[]> assignments)
    {
        foreach (GroupMember member in _members)
        {
            member.Assignment = assignments.TryGetValue(member.MemberId, out byte[]? bytes) ? bytes : [];
        }

        State = GroupState.Stable;
        _syncDeadline = null;
        DateTimeOffset now = Now;
        GroupLogMessages.GroupStable(_logger, GroupId, GenerationId);
        foreach (GroupMember member in _members)
        {
            member.LastSeen = now;
            Answer(member, new SyncGroupResponse(ErrorCode.None, ProtocolType, ProtocolName, member.Assignment));
        }
    }
}

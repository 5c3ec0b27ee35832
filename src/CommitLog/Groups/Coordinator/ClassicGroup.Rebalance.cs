using CommitLog.Storage;

namespace CommitLog.Groups.Coordinator;

/// <content>Rebalances: starting one, completing the join phase, removing members.</content>
internal sealed partial class ClassicGroup
{
    private void PrepareRebalance(string reason)
    {
        if (State == GroupState.CompletingRebalance)
        {
            // Members waiting for the leader's assignment must rejoin instead (Kafka resets them with REBALANCE_IN_PROGRESS).
            foreach (GroupMember member in _members)
            {
                member.Assignment = [];
                Answer(member, SyncGroupResponse.Failed(ErrorCode.RebalanceInProgress));
            }
        }

        DateTimeOffset now = Now;
        _initialPhase = State == GroupState.Empty && _initialRebalanceDelay > TimeSpan.Zero;
        _initialPhaseEnd = now + _initialRebalanceDelay;
        _joinsAtInitialExtension = _joinsThisRebalance = _initialPhase ? _joinsThisRebalance : 0;
        _rebalanceDeadline = now + MaxRebalanceTimeout();
        _syncDeadline = null;
        State = GroupState.PreparingRebalance;
        GroupLogMessages.RebalanceStarted(_logger, GroupId, GenerationId, reason);
    }

    private TimeSpan MaxRebalanceTimeout()
        => _members.Count == 0 ? TimeSpan.Zero : _members.Max(m => m.RebalanceTimeout);

    private void TryCompleteJoin()
    {
        if (State != GroupState.PreparingRebalance)
        {
            return;
        }

        DateTimeOffset now = Now;
        if (_initialPhase)
        {
            if (now < _initialPhaseEnd)
            {
                return;
            }

            // Kafka's delayed initial join: while members keep arriving, wait another delay, within the rebalance timeout.
            if (_joinsThisRebalance > _joinsAtInitialExtension && _rebalanceDeadline is { } limit && now + _initialRebalanceDelay <= limit)
            {
                _joinsAtInitialExtension = _joinsThisRebalance;
                _initialPhaseEnd = now + _initialRebalanceDelay;
                return;
            }

            _initialPhase = false;
        }

        bool allJoined = _members.All(m => m.PendingJoin is not null);
        if (!allJoined && (_rebalanceDeadline is not { } deadline || now < deadline))
        {
            return;
        }

        foreach (GroupMember member in _members.Where(m => m.PendingJoin is null).ToList())
        {
            RemoveMember(member, "it did not rejoin within the rebalance timeout", rebalance: false);
        }

        CompleteJoin();
    }

    private void CompleteJoin()
    {
        GenerationId++;
        _rebalanceDeadline = null;
        if (_members.Count == 0)
        {
            State = GroupState.Empty;
            ProtocolName = null;
            Leader = null;
            GroupLogMessages.GroupEmpty(_logger, GroupId, GenerationId);
            return;
        }

        ProtocolName = SelectProtocol();
        if (Leader is null || !_byId.ContainsKey(Leader))
        {
            Leader = _members[0].MemberId;
        }

        State = GroupState.CompletingRebalance;
        DateTimeOffset now = Now;
        _syncDeadline = now + MaxRebalanceTimeout();
        GroupLogMessages.RebalanceCompleted(_logger, GroupId, GenerationId, ProtocolName, _members.Count, Leader);
        foreach (GroupMember member in _members)
        {
            member.Assignment = [];
            member.LastSeen = now;
            Action<JoinGroupResponse>? respond = member.PendingJoin;
            member.PendingJoin = null;
            respond?.Invoke(JoinResponse(member, skipAssignment: false));
        }
    }

    /// <summary>Kafka's vote: the protocols every member supports; each member votes for its most preferred one of them.</summary>
    private string SelectProtocol()
    {
        var candidates = _members[0].Protocols.Select(p => p.Name)
            .Where(name => _members.All(m => m.MetadataFor(name) is not null)).ToList();
        return candidates
            .Select(name => (name, votes: _members.Count(m => string.Equals(
                m.Protocols.First(p => candidates.Contains(p.Name)).Name, name, StringComparison.Ordinal))))
            .OrderByDescending(c => c.votes)
            .First().name;
    }

    /// <summary>Removes a member; the group rebalances (or, while preparing a rebalance, may complete it).</summary>
    private void RemoveMember(GroupMember member, string reason, bool rebalance = true)
    {
        _members.Remove(member);
        _byId.Remove(member.MemberId);
        if (member.GroupInstanceId is { } instanceId
            && _byInstanceId.TryGetValue(instanceId, out GroupMember? current) && ReferenceEquals(current, member))
        {
            _byInstanceId.Remove(instanceId);
        }

        if (IsLeader(member))
        {
            Leader = null;
        }

        GroupLogMessages.MemberRemoved(_logger, GroupId, member.MemberId, member.GroupInstanceId, reason);
        Action<JoinGroupResponse>? join = member.PendingJoin;
        Action<SyncGroupResponse>? sync = member.PendingSync;
        member.PendingJoin = null;
        member.PendingSync = null;
        join?.Invoke(JoinGroupResponse.Failed(ErrorCode.UnknownMemberId, member.MemberId));
        sync?.Invoke(SyncGroupResponse.Failed(ErrorCode.UnknownMemberId));
        if (!rebalance)
        {
            return;
        }

        if (State is GroupState.Stable or GroupState.CompletingRebalance)
        {
            PrepareRebalance($"member {member.MemberId} was removed: {reason}");
        }

        TryCompleteJoin();
    }

    private static void Answer(GroupMember member, SyncGroupResponse response)
    {
        Action<SyncGroupResponse>? respond = member.PendingSync;
        member.PendingSync = null;
        respond?.Invoke(response);
    }

    /// <summary>Kafka's member check: unknown ids are UNKNOWN_MEMBER_ID, unless their static id belongs to a newer member
    /// (FENCED_INSTANCE_ID); a known id with another static id is fenced too.</summary>
    private ErrorCode ValidateMember(string memberId, string? groupInstanceId)
    {
        if (groupInstanceId is not null && _byInstanceId.TryGetValue(groupInstanceId, out GroupMember? owner)
            && !string.Equals(owner.MemberId, memberId, StringComparison.Ordinal))
        {
            return ErrorCode.FencedInstanceId;
        }

        if (!_byId.TryGetValue(memberId, out GroupMember? member))
        {
            return ErrorCode.UnknownMemberId;
        }

        return string.Equals(member.GroupInstanceId, groupInstanceId, StringComparison.Ordinal)
            ? ErrorCode.None
            : ErrorCode.FencedInstanceId;
    }
}

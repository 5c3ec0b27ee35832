using CommitLog.Storage;
using Microsoft.Extensions.Logging;

namespace CommitLog.Groups.Coordinator;

/// <summary>
/// The state machine of one group under Kafka's classic group protocol (Empty, PreparingRebalance, CompletingRebalance,
/// Stable, Dead): joins, syncs, heartbeats, leaves, session and rebalance timeouts, static membership (KIP-345). It knows
/// no transport and no threads: requests come in as calls, answers go out through the callbacks the caller passes (a join
/// or a sync may be answered later, by another call or by <see cref="Tick"/>), and time comes from the
/// <see cref="TimeProvider"/>. The owner calls <see cref="Tick"/> at <see cref="NextDeadline"/>.
/// </summary>
/// <remarks>Not thread-safe: the owner (<see cref="GroupCoordinator"/>) serializes every call. Callbacks are invoked
/// synchronously and must not call back into the group.</remarks>
internal sealed partial class ClassicGroup
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _initialRebalanceDelay;
    private readonly ILogger _logger;
    private readonly List<GroupMember> _members = [];
    private readonly Dictionary<string, GroupMember> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GroupMember> _byInstanceId = new(StringComparer.Ordinal);
    private DateTimeOffset? _rebalanceDeadline;
    private DateTimeOffset? _syncDeadline;
    private DateTimeOffset _initialPhaseEnd;
    private bool _initialPhase;
    private int _joinsAtInitialExtension;
    private int _joinsThisRebalance;

    /// <summary>Creates an empty group.</summary>
    public ClassicGroup(string groupId, TimeProvider time, TimeSpan initialRebalanceDelay, ILogger logger)
    {
        GroupId = groupId;
        _time = time;
        _initialRebalanceDelay = initialRebalanceDelay;
        _logger = logger;
    }

    /// <summary>Gets the group id.</summary>
    public string GroupId { get; }

    /// <summary>Gets the state.</summary>
    public GroupState State { get; private set; } = GroupState.Empty;

    /// <summary>Gets the current generation (0 before the first rebalance).</summary>
    public int GenerationId { get; private set; }

    /// <summary>Gets the protocol type, or <see langword="null"/> while no member ever joined.</summary>
    public string? ProtocolType { get; private set; }

    /// <summary>Gets the protocol chosen in the last rebalance, or <see langword="null"/>.</summary>
    public string? ProtocolName { get; private set; }

    /// <summary>Gets the leader's member id, or <see langword="null"/>.</summary>
    public string? Leader { get; private set; }

    /// <summary>Gets the number of members.</summary>
    public int MemberCount => _members.Count;

    /// <summary>Gets the members in join order.</summary>
    public IReadOnlyList<GroupMember> Members => _members;

    /// <summary>Gets the earliest time <see cref="Tick"/> has something to do, or <see langword="null"/>.</summary>
    public DateTimeOffset? NextDeadline
    {
        get
        {
            DateTimeOffset? next = State switch
            {
                GroupState.PreparingRebalance => _initialPhase ? _initialPhaseEnd : _rebalanceDeadline,
                GroupState.CompletingRebalance => _syncDeadline,
                _ => null,
            };
            foreach (GroupMember member in _members)
            {
                if (!member.IsAwaiting)
                {
                    DateTimeOffset expiry = member.LastSeen + member.SessionTimeout;
                    next = next is null || expiry < next ? expiry : next;
                }
            }

            return next;
        }
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Handles a JoinGroup request; <paramref name="respond"/> is called now or when the rebalance completes.</summary>
    public void Join(JoinGroupRequest request, Action<JoinGroupResponse> respond)
    {
        if (State == GroupState.Dead)
        {
            respond(JoinGroupResponse.Failed(ErrorCode.UnknownMemberId));
            return;
        }

        if (request.SessionTimeout <= TimeSpan.Zero || request.RebalanceTimeout <= TimeSpan.Zero)
        {
            respond(JoinGroupResponse.Failed(ErrorCode.InvalidSessionTimeout));
            return;
        }

        if (!SupportsProtocols(request))
        {
            respond(JoinGroupResponse.Failed(ErrorCode.InconsistentGroupProtocol));
            return;
        }

        if (request.MemberId.Length == 0)
        {
            if (request.GroupInstanceId is { } instanceId && _byInstanceId.TryGetValue(instanceId, out GroupMember? existing))
            {
                ReplaceStaticMember(existing, request, respond);
            }
            else
            {
                AddMember(request, respond);
            }

            return;
        }

        if (ValidateMember(request.MemberId, request.GroupInstanceId) is var error && error != ErrorCode.None)
        {
            respond(JoinGroupResponse.Failed(error, request.MemberId));
            return;
        }

        RejoinKnownMember(_byId[request.MemberId], request, respond);
    }

    /// <summary>Removes the members that are gone (session timeout) and completes rebalances whose time is up.</summary>
    public void Tick()
    {
        DateTimeOffset now = Now;
        foreach (GroupMember member in _members.ToList())
        {
            if (!member.IsAwaiting && now >= member.LastSeen + member.SessionTimeout && _byId.ContainsKey(member.MemberId))
            {
                RemoveMember(member, $"no heartbeat within the session timeout ({member.SessionTimeout.TotalMilliseconds} ms)");
            }
        }

        if (State == GroupState.CompletingRebalance && _syncDeadline is { } syncDeadline && now >= syncDeadline)
        {
            foreach (GroupMember member in _members.Where(m => m.PendingSync is null).ToList())
            {
                RemoveMember(member, "no SyncGroup within the rebalance timeout", rebalance: false);
            }

            PrepareRebalance("members did not sync within the rebalance timeout");
        }

        TryCompleteJoin();
    }

    private bool SupportsProtocols(JoinGroupRequest request)
    {
        if (request.Protocols.Count == 0 || request.ProtocolType.Length == 0)
        {
            return false;
        }

        if (_members.Count == 0)
        {
            return true;
        }

        if (!string.Equals(request.ProtocolType, ProtocolType, StringComparison.Ordinal))
        {
            return false;
        }

        // The new member's protocols must meet those every other member supports (a rejoining member's own old list aside).
        var others = _members.Where(m => !string.Equals(m.MemberId, request.MemberId, StringComparison.Ordinal)
            && !(request.GroupInstanceId is not null && string.Equals(m.GroupInstanceId, request.GroupInstanceId, StringComparison.Ordinal))).ToList();
        return others.Count == 0
            || request.Protocols.Any(p => others.All(m => m.MetadataFor(p.Name) is not null));
    }

    private void AddMember(JoinGroupRequest request, Action<JoinGroupResponse> respond)
    {
        string memberId = $"{(request.ClientId.Length > 0 ? request.ClientId : "member")}-{Guid.NewGuid():N}";
        var member = new GroupMember(memberId, request) { LastSeen = Now, PendingJoin = respond };
        _members.Add(member);
        _byId[memberId] = member;
        if (member.GroupInstanceId is { } instanceId)
        {
            _byInstanceId[instanceId] = member;
        }

        ProtocolType ??= request.ProtocolType;
        _joinsThisRebalance++;
        GroupLogMessages.MemberAdded(_logger, GroupId, memberId, request.GroupInstanceId, request.ClientId);
        if (State != GroupState.PreparingRebalance)
        {
            PrepareRebalance($"member {memberId} joined");
        }

        TryCompleteJoin();
    }

    private void RejoinKnownMember(GroupMember member, JoinGroupRequest request, Action<JoinGroupResponse> respond)
    {
        bool sameProtocols = GroupMember.SameProtocols(member.Protocols, request.Protocols);
        member.Protocols = request.Protocols;
        member.SessionTimeout = request.SessionTimeout;
        member.RebalanceTimeout = request.RebalanceTimeout;
        member.ClientId = request.ClientId;
        member.ClientHost = request.ClientHost;
        member.LastSeen = Now;
        switch (State)
        {
            case GroupState.PreparingRebalance:
                member.PendingJoin?.Invoke(JoinGroupResponse.Failed(ErrorCode.RebalanceInProgress, member.MemberId));
                member.PendingJoin = respond;
                TryCompleteJoin();
                break;
            case GroupState.CompletingRebalance when sameProtocols:
                respond(JoinResponse(member, skipAssignment: false));
                break;
            case GroupState.Stable when sameProtocols && !IsLeader(member):
                respond(JoinResponse(member, skipAssignment: false));
                break;
            default:
                member.PendingJoin = respond;
                PrepareRebalance($"member {member.MemberId} rejoined{(sameProtocols ? string.Empty : " with a new subscription")}");
                TryCompleteJoin();
                break;
        }
    }

    /// <summary>KIP-345: a static member rejoining with a new process takes over the slot (and assignment) of the old
    /// member id, which is fenced; a stable group with an unchanged subscription does not rebalance.</summary>
    private void ReplaceStaticMember(GroupMember member, JoinGroupRequest request, Action<JoinGroupResponse> respond)
    {
        string oldId = member.MemberId;
        string newId = $"{(request.ClientId.Length > 0 ? request.ClientId : "member")}-{Guid.NewGuid():N}";
        member.PendingJoin?.Invoke(JoinGroupResponse.Failed(ErrorCode.FencedInstanceId, oldId));
        member.PendingSync?.Invoke(SyncGroupResponse.Failed(ErrorCode.FencedInstanceId));
        member.PendingJoin = null;
        member.PendingSync = null;
        _byId.Remove(oldId);
        member.MemberId = newId;
        _byId[newId] = member;
        if (string.Equals(Leader, oldId, StringComparison.Ordinal))
        {
            Leader = newId;
        }

        GroupLogMessages.StaticMemberReplaced(_logger, GroupId, member.GroupInstanceId!, oldId, newId);
        bool sameProtocols = GroupMember.SameProtocols(member.Protocols, request.Protocols);
        member.Protocols = request.Protocols;
        member.SessionTimeout = request.SessionTimeout;
        member.RebalanceTimeout = request.RebalanceTimeout;
        member.ClientId = request.ClientId;
        member.ClientHost = request.ClientHost;
        member.LastSeen = Now;
        if ((State == GroupState.Stable || State == GroupState.CompletingRebalance) && sameProtocols)
        {
            // The leader keeps the current assignment rather than computing one (Kafka's SkipAssignment).
            respond(JoinResponse(member, skipAssignment: IsLeader(member)));
            return;
        }

        member.PendingJoin = respond;
        if (State != GroupState.PreparingRebalance)
        {
            PrepareRebalance($"static member {member.GroupInstanceId} rejoined with a new subscription");
        }

        TryCompleteJoin();
    }

    private bool IsLeader(GroupMember member) => string.Equals(Leader, member.MemberId, StringComparison.Ordinal);

    private JoinGroupResponse JoinResponse(GroupMember member, bool skipAssignment)
    {
        IReadOnlyList<JoinGroupResponseMember> members = IsLeader(member)
            ? [.. _members.Select(m => new JoinGroupResponseMember(m.MemberId, m.GroupInstanceId, m.MetadataFor(ProtocolName) ?? []))]
            : [];
        return new JoinGroupResponse(
            ErrorCode.None, GenerationId, ProtocolType, ProtocolName, Leader ?? string.Empty, skipAssignment, member.MemberId, members);
    }
}

using CommitLog.Storage;
using Microsoft.Extensions.Logging;

namespace CommitLog.Groups.Coordinator;

/// <summary>
/// The broker's group coordinator: owns one <see cref="ClassicGroup"/> state machine per group id and serves Kafka's
/// group requests (JoinGroup, SyncGroup, Heartbeat, LeaveGroup, ListGroups, DescribeGroups, DeleteGroups) to members in
/// this process; the request and response records are shaped like Kafka's so a network listener can serve the same
/// coordinator later. Session and rebalance timeouts run on one timer from the broker's <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>Thread-safe: every request takes one lock; answers that wait (join, sync) complete asynchronously.</remarks>
internal sealed class GroupCoordinator : IGroupCoordinatorClient, IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ClassicGroup> _groups = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _initialRebalanceDelay;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private bool _disposed;

    /// <summary>Creates the coordinator.</summary>
    /// <param name="time">The clock of every timeout.</param>
    /// <param name="initialRebalanceDelay">How long an empty group's first rebalance waits for more members (<c>group.initial.rebalance.delay.ms</c>).</param>
    /// <param name="logger">The logger (category <c>CommitLog.Groups</c>).</param>
    public GroupCoordinator(TimeProvider time, TimeSpan initialRebalanceDelay, ILogger logger)
    {
        _time = time;
        _initialRebalanceDelay = initialRebalanceDelay;
        _logger = logger;
        _timer = time.CreateTimer(_ => OnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Gets or sets what is called (outside the lock) after a group was deleted, e.g. to delete its committed offsets.</summary>
    public Action<string>? GroupDeleted { get; set; }

    /// <summary>Handles JoinGroup; completes when the group's rebalance does (or at once on error).</summary>
    public ValueTask<JoinGroupResponse> JoinGroupAsync(JoinGroupRequest request, CancellationToken cancellationToken = default)
        => new(JoinGroup(request).WaitAsync(cancellationToken));

    /// <summary>Handles SyncGroup; completes when the leader's assignment is in (or at once).</summary>
    public ValueTask<SyncGroupResponse> SyncGroupAsync(SyncGroupRequest request, CancellationToken cancellationToken = default)
        => new(SyncGroup(request).WaitAsync(cancellationToken));

    /// <summary>Handles JoinGroup; the returned task is the answer itself, completed the moment the group answers.</summary>
    public Task<JoinGroupResponse> JoinGroup(JoinGroupRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.GroupId.Length == 0)
        {
            return Task.FromResult(JoinGroupResponse.Failed(ErrorCode.InvalidGroupId));
        }

        var answer = new TaskCompletionSource<JoinGroupResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ClassicGroup group = GetOrCreate(request.GroupId);
            group.Join(request, r => answer.TrySetResult(r));
            Reschedule();
        }

        return answer.Task;
    }

    /// <summary>Handles SyncGroup; the returned task is the answer itself, completed the moment the group answers.</summary>
    public Task<SyncGroupResponse> SyncGroup(SyncGroupRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var answer = new TaskCompletionSource<SyncGroupResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_groups.TryGetValue(request.GroupId, out ClassicGroup? group))
            {
                return Task.FromResult(SyncGroupResponse.Failed(ErrorCode.UnknownMemberId));
            }

            group.Sync(request, r => answer.TrySetResult(r));
            Reschedule();
        }

        return answer.Task;
    }

    /// <summary>Handles Heartbeat.</summary>
    /// <returns>None, RebalanceInProgress, IllegalGeneration, UnknownMemberId or FencedInstanceId.</returns>
    public ErrorCode Heartbeat(HeartbeatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_groups.TryGetValue(request.GroupId, out ClassicGroup? group))
            {
                return ErrorCode.UnknownMemberId;
            }

            ErrorCode error = group.Heartbeat(request);
            Reschedule();
            return error;
        }
    }

    /// <summary>Handles LeaveGroup for each member given.</summary>
    /// <returns>The error of each member, in order (GroupIdNotFound when the group does not exist).</returns>
    public IReadOnlyList<ErrorCode> LeaveGroup(string groupId, IReadOnlyList<LeaveGroupMember> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_groups.TryGetValue(groupId, out ClassicGroup? group))
            {
                return [.. members.Select(_ => ErrorCode.GroupIdNotFound)];
            }

            var errors = members.Select(group.Leave).ToList();
            Reschedule();
            return errors;
        }
    }

    /// <inheritdoc/>
    ValueTask<ErrorCode> IGroupCoordinatorClient.HeartbeatAsync(HeartbeatRequest request) => new(Heartbeat(request));

    /// <inheritdoc/>
    void IGroupCoordinatorClient.Leave(string groupId, IReadOnlyList<LeaveGroupMember> members) => LeaveGroup(groupId, members);

    /// <summary>
    /// Forgets the groups <paramref name="drop"/> selects, as a cluster node does for the groups of an offsets partition it
    /// no longer leads: their waiting joins and syncs are answered with <paramref name="error"/>, and later requests of
    /// their members find no group (the members then rejoin at the new coordinator).
    /// </summary>
    /// <param name="drop">Selects the group ids to forget.</param>
    /// <param name="error">The answer to the waiting joins and syncs (NotCoordinator).</param>
    /// <returns>The groups forgotten.</returns>
    public IReadOnlyList<string> DropGroups(Func<string, bool> drop, ErrorCode error)
    {
        ArgumentNullException.ThrowIfNull(drop);
        List<string> dropped;
        lock (_gate)
        {
            dropped = [.. _groups.Keys.Where(drop)];
            foreach (string groupId in dropped)
            {
                _groups[groupId].AbortWaiting(error);
                _groups.Remove(groupId);
            }

            if (!_disposed)
            {
                Reschedule();
            }
        }

        return dropped;
    }

    /// <summary>
    /// Whether a commit with <paramref name="generation"/> may be stored (the offset store asks before storing): None when
    /// the member and generation are current, or when <paramref name="generation"/> is <see cref="GroupGeneration.None"/> and
    /// the group has no members; otherwise IllegalGeneration, UnknownMemberId, FencedInstanceId or RebalanceInProgress.
    /// </summary>
    public ErrorCode CheckCommit(string groupId, GroupGeneration generation)
    {
        lock (_gate)
        {
            if (_groups.TryGetValue(groupId, out ClassicGroup? group))
            {
                return group.CheckCommit(generation);
            }

            // Kafka: a commit with a generation for a group the coordinator does not know is from a stale member.
            return generation.IsNone && generation.MemberId.Length == 0 ? ErrorCode.None : ErrorCode.IllegalGeneration;
        }
    }

    /// <summary>Lists the groups that have or had members (ListGroups).</summary>
    public IReadOnlyList<GroupListing> ListGroups()
    {
        lock (_gate)
        {
            return [.. _groups.Values.OrderBy(g => g.GroupId, StringComparer.Ordinal)
                .Select(g => new GroupListing(g.GroupId, g.State, g.ProtocolType ?? string.Empty))];
        }
    }

    /// <summary>Describes a group (DescribeGroups), or returns <see langword="null"/> if the coordinator does not know it.</summary>
    public GroupDescription? DescribeGroup(string groupId)
    {
        lock (_gate)
        {
            return _groups.TryGetValue(groupId, out ClassicGroup? group) ? group.Describe() : null;
        }
    }

    /// <summary>Deletes an empty group (DeleteGroups) and then calls <see cref="GroupDeleted"/>.</summary>
    /// <param name="groupId">The group.</param>
    /// <param name="mustExist">Whether a group the coordinator does not know is GroupIdNotFound; the offset store passes
    /// <see langword="false"/> for groups that only have committed offsets.</param>
    /// <returns>None, NonEmptyGroup (it has members) or GroupIdNotFound.</returns>
    public ErrorCode DeleteGroup(string groupId, bool mustExist = true)
    {
        lock (_gate)
        {
            if (_groups.TryGetValue(groupId, out ClassicGroup? group))
            {
                ErrorCode error = group.MarkDead();
                if (error != ErrorCode.None)
                {
                    return error;
                }

                _groups.Remove(groupId);
            }
            else if (mustExist)
            {
                return ErrorCode.GroupIdNotFound;
            }
        }

        GroupLogMessages.GroupDeleted(_logger, groupId);
        GroupDeleted?.Invoke(groupId);
        return ErrorCode.None;
    }

    /// <summary>Stops the timer and answers waiting joins and syncs (UnknownMemberId); later requests throw
    /// <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (ClassicGroup group in _groups.Values)
            {
                group.AbortWaiting();
            }
        }

        _timer.Dispose();
    }

    private ClassicGroup GetOrCreate(string groupId)
    {
        if (!_groups.TryGetValue(groupId, out ClassicGroup? group))
        {
            _groups[groupId] = group = new ClassicGroup(groupId, _time, _initialRebalanceDelay, _logger);
        }

        return group;
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            foreach (ClassicGroup group in _groups.Values)
            {
                group.Tick();
            }

            Reschedule();
        }
    }

    /// <summary>Sets the timer to the earliest deadline of any group. Caller holds the lock.</summary>
    private void Reschedule()
    {
        DateTimeOffset? next = null;
        foreach (ClassicGroup group in _groups.Values)
        {
            if (group.NextDeadline is { } deadline && (next is null || deadline < next))
            {
                next = deadline;
            }
        }

        if (next is { } due)
        {
            TimeSpan delay = due - _time.GetUtcNow();
            _timer.Change(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }
}

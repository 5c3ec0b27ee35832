using CommitLog.Storage;

namespace CommitLog.Groups.Membership;

/// <content>The consumer-thread side: poll, apply a new assignment through the listener, leave.</content>
internal sealed partial class GroupMembership
{
    /// <inheritdoc/>
    public async ValueTask PollAsync(IAssignmentListener listener, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listener);
        bool subscribed;
        CommitLogException? fatal;
        lock (_lock)
        {
            ThrowIfDisposed();
            fatal = _fatal;
            _lastPoll = _time.GetUtcNow();
            subscribed = _topicList is not null || _pattern is not null;
        }

        if (fatal is not null)
        {
            await ReportLostAsync(listener, cancellationToken).ConfigureAwait(false);
            throw fatal;
        }

        if (!subscribed)
        {
            return;
        }

        await ReportLostAsync(listener, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            CheckMetadata();
            if (_joinTask is null && !await StartJoinIfNeededAsync(listener, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            Task<JoinOutcome> join = _joinTask!;
            if (!join.IsCompleted && _cooperative && _assignment.Count > 0)
            {
                return; // KIP-429: keep consuming the partitions we own while the group rebalances.
            }

            if (!join.IsCompleted)
            {
                // Bounded by max.poll.interval.ms: past it the poll returns and the join goes on in the background.
                await ((Task)join).WaitAsync(_config.MaxPollIntervalMs, _time, cancellationToken)
                    .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                cancellationToken.ThrowIfCancellationRequested();
                if (!join.IsCompleted)
                {
                    return;
                }
            }

            JoinOutcome outcome = await join.ConfigureAwait(false);
            lock (_lock)
            {
                _joinTask = null;
            }

            if (outcome.Stopped)
            {
                return;
            }

            if (outcome.Fatal is { } refused)
            {
                lock (_lock)
                {
                    _fatal = refused;
                    _lostReason = refused.Message;
                }

                await ReportLostAsync(listener, cancellationToken).ConfigureAwait(false);
                throw refused;
            }

            await ApplyAsync(outcome.Assignment, listener, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask LeaveAsync(IAssignmentListener listener, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ThrowIfDisposed();
        if (_joinTask is { } join)
        {
            try
            {
                JoinOutcome outcome = await join.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (outcome.Fatal is null && !outcome.Stopped)
                {
                    await ApplyAsync(outcome.Assignment, listener, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // Bounded leave: the join is abandoned below and the coordinator drops the member by its timeouts.
            }

            lock (_lock)
            {
                _joinTask = null;
            }
        }

        await ReportLostAsync(listener, cancellationToken).ConfigureAwait(false);
        if (_assignment.Count > 0)
        {
            var revoked = _assignment.ToList();
            await listener.OnPartitionsRevokedAsync(revoked, cancellationToken).ConfigureAwait(false);
            _assignment.Clear();
            SetAssignmentView();
        }

        string memberId;
        lock (_lock)
        {
            _joinCancel?.Cancel();
            memberId = _memberId;
            _memberId = string.Empty;
            _generationId = -1;
            _inGroup = false;
            _isLeader = false;
            _joinInFlight = false;
            _rejoinReason = null;
            _lostReason = null;
            _topicList = null;
            _pattern = null;
            _leaderSnapshot = null;
        }

        // Kafka: a static member does not leave, so that its restart within session.timeout.ms gets its partitions back.
        if (memberId.Length > 0 && _config.GroupInstanceId is null)
        {
            TryLeave(memberId, "the consumer unsubscribed or closed");
        }
    }

    /// <summary>Reports partitions lost (the heartbeat found the member removed or fenced) and clears them.</summary>
    private async ValueTask ReportLostAsync(IAssignmentListener listener, CancellationToken cancellationToken)
    {
        string? reason;
        lock (_lock)
        {
            reason = _lostReason;
            _lostReason = null;
        }

        if (reason is null)
        {
            return;
        }

        GroupLogMessages.PartitionsLost(_logger, MemberId, _groupId, reason);
        if (_assignment.Count > 0)
        {
            var lost = _assignment.ToList();
            _assignment.Clear();
            SetAssignmentView();
            await listener.OnPartitionsLostAsync(lost, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts a join when the member is not in a generation or must rejoin; eager protocols revoke everything first.</summary>
    /// <returns>Whether a join is in flight now.</returns>
    private async ValueTask<bool> StartJoinIfNeededAsync(IAssignmentListener listener, CancellationToken cancellationToken)
    {
        string? reason;
        lock (_lock)
        {
            reason = !_inGroup ? "not in a generation" : _rejoinReason;
        }

        if (reason is null)
        {
            return false;
        }

        GroupLogMessages.Rejoining(_logger, MemberId, _groupId, reason);
        if (!_cooperative && _assignment.Count > 0)
        {
            // Eager: give everything back before rejoining; the generation is still current, so the revoke may commit.
            var revoked = _assignment.ToList();
            await listener.OnPartitionsRevokedAsync(revoked, cancellationToken).ConfigureAwait(false);
            _assignment.Clear();
            SetAssignmentView();
        }

        IReadOnlyList<string> topics = ResolveTopics();
        IReadOnlyList<TopicPartition> owned = [.. _assignment];
        CancellationToken joinToken;
        lock (_lock)
        {
            ThrowIfDisposed();
            _rejoinReason = null;
            _joinInFlight = true;
            _joinCancel?.Dispose();
            _joinCancel = new CancellationTokenSource();
            joinToken = _joinCancel.Token;
        }

        // Outside the lock: the join runs synchronously up to its first wait (on a cluster node, maybe a blocking append of the
        // read barrier); under the lock that starved the thread pool with heartbeat callbacks waiting for it (a hang).
        Task<JoinOutcome> join = JoinAsync(topics, owned, joinToken);
        lock (_lock)
        {
            _joinTask = join;
        }

        return true;
    }

    /// <summary>Applies a new generation's assignment: eager members get all of it; cooperative members revoke what moved
    /// away (and rejoin so it can be given to its new owner) and are assigned what is new.</summary>
    private async ValueTask ApplyAsync(IReadOnlyList<TopicPartition> assigned, IAssignmentListener listener, CancellationToken cancellationToken)
    {
        var revoked = _assignment.Where(p => !assigned.Contains(p)).ToList();
        var added = assigned.Where(p => !_assignment.Contains(p)).ToList();
        if (revoked.Count > 0)
        {
            foreach (TopicPartition partition in revoked)
            {
                _assignment.Remove(partition);
            }

            SetAssignmentView();
            lock (_lock)
            {
                _rejoinReason ??= "partitions were revoked to move to other members";
            }

            await listener.OnPartitionsRevokedAsync(revoked, cancellationToken).ConfigureAwait(false);
        }

        _assignment.UnionWith(added);
        SetAssignmentView();
        GroupGeneration generation = Generation;
        GroupLogMessages.MemberJoinedGeneration(
            _logger, generation.MemberId, _groupId, generation.GenerationId, _isLeader ? "leader" : "follower", _assignment.Count);
        await listener.OnPartitionsAssignedAsync(added, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Leader only: rejoin when a topic of the group appeared, vanished or grew; anyone: when the pattern matches other topics.</summary>
    private void CheckMetadata()
    {
        Dictionary<string, int>? snapshot;
        bool checkPattern;
        lock (_lock)
        {
            if (!_inGroup || _rejoinReason is not null || _joinInFlight || _joinTask is not null)
            {
                return;
            }

            snapshot = _isLeader ? _leaderSnapshot : null;
            DateTimeOffset now = _time.GetUtcNow();
            checkPattern = _pattern is not null && now >= _nextMetadataCheck;
            if (checkPattern)
            {
                _nextMetadataCheck = now + MetadataRefreshInterval;
            }
        }

        string? reason = null;
        if (checkPattern && !ResolveTopics().SequenceEqual(_joinedTopics, StringComparer.Ordinal))
        {
            reason = "the subscription pattern matches other topics now";
        }

        foreach ((string topic, int count) in snapshot ?? [])
        {
            int now = _topics.TryGetPartitionCount(topic, out int current) ? current : 0;
            if (reason is null && now != count)
            {
                reason = $"topic {topic} has {now} partitions, {count} when the group was assigned";
            }
        }

        if (reason is not null)
        {
            lock (_lock)
            {
                _rejoinReason ??= reason;
            }
        }
    }

    private static CommitLogException Fatal(ErrorCode error, string groupId, string? instanceId) => new(
        error,
        error == ErrorCode.FencedInstanceId
            ? $"Another consumer joined group '{groupId}' with group.instance.id '{instanceId}'; this one is fenced and stops. " +
              "Give each consumer instance its own group.instance.id."
            : $"The group coordinator refused the join of group '{groupId}': {error}.");
}

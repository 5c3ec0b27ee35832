using CommitLog.Groups.Assignors;
using CommitLog.Groups.Coordinator;
using CommitLog.Storage;

namespace CommitLog.Groups.Membership;

/// <content>The join and sync exchange (runs in the background).</content>
internal sealed partial class GroupMembership
{
    private async Task<JoinOutcome> JoinAsync(IReadOnlyList<string> topics, IReadOnlyList<TopicPartition> owned, CancellationToken cancellationToken)
    {
        try
        {
            if (await CatchUpOffsetsAsync(cancellationToken).ConfigureAwait(false) is { } unavailable)
            {
                return new JoinOutcome([], unavailable);
            }

            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string memberId;
                int generation;
                lock (_lock)
                {
                    memberId = _memberId;
                    generation = _generationId;
                }

                byte[] metadata = ConsumerProtocol.EncodeSubscription(new ConsumerSubscription(topics, owned, generation));
                var join = await Pending(_coordinator.JoinGroup(
                    new JoinGroupRequest(
                        _groupId, _config.SessionTimeoutMs, _config.MaxPollIntervalMs, memberId, _config.GroupInstanceId,
                        ConsumerProtocol.ProtocolType, [.. _assignors.Select(a => new JoinGroupProtocol(a.Name, metadata))], _config.ClientId)),
                    cancellationToken).ConfigureAwait(false);
                if (join.Error != ErrorCode.None)
                {
                    if (Retry(join.Error, "JoinGroup") is { } fatal)
                    {
                        return new JoinOutcome([], fatal);
                    }

                    await BackOffIfCoordinatorMovedAsync(join.Error, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                lock (_lock)
                {
                    _memberId = join.MemberId;
                }

                GroupLogMessages.JoinAnswered(_logger, join.MemberId, _groupId, join.GenerationId, join.Leader);

                bool leads = string.Equals(join.Leader, join.MemberId, StringComparison.Ordinal);
                (Dictionary<string, byte[]> assignments, Dictionary<string, int>? snapshot) = leads && !join.SkipAssignment
                    ? Lead(join)
                    : (new Dictionary<string, byte[]>(StringComparer.Ordinal), null);
                var sync = await Pending(_coordinator.SyncGroup(
                    new SyncGroupRequest(
                        _groupId, join.GenerationId, join.MemberId, _config.GroupInstanceId, ConsumerProtocol.ProtocolType, join.ProtocolName,
                        assignments)),
                    cancellationToken).ConfigureAwait(false);
                if (sync.Error != ErrorCode.None)
                {
                    if (Retry(sync.Error, "SyncGroup") is { } fatal)
                    {
                        return new JoinOutcome([], fatal);
                    }

                    await BackOffIfCoordinatorMovedAsync(sync.Error, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                IReadOnlyList<TopicPartition> assigned = ConsumerProtocol.DecodeAssignment(sync.Assignment, out byte[]? userData);
                if (leads && join.SkipAssignment)
                {
                    // A restarted static leader: the counts the group's assignment was made with travel in its own user data.
                    snapshot = userData is null ? null : ConsumerProtocol.DecodeTopicCounts(userData);
                }

                GroupLogMessages.SyncAnswered(_logger, join.MemberId, _groupId, join.GenerationId, assigned.Count);
                // On a cluster node: the assignment starts at the committed offsets, so read every commit acknowledged before
                // now into this node's view (the previous owners' last commits, made through the coordinator on any node).
                if (await CatchUpOffsetsAsync(cancellationToken).ConfigureAwait(false) is { } unreadable)
                {
                    return new JoinOutcome([], unreadable);
                }

                lock (_lock)
                {
                    _generationId = join.GenerationId;
                    _inGroup = true;
                    _joinInFlight = false;
                    _isLeader = leads;
                    _leaderSnapshot = leads ? snapshot ?? _leaderSnapshot : null;
                    _joinedTopics = topics;
                    _lastPoll = _time.GetUtcNow();
                }

                return new JoinOutcome(assigned);
            }
        }
        catch (OperationCanceledException)
        {
            lock (_lock)
            {
                _joinInFlight = false;
            }

            return new JoinOutcome([], Stopped: true);
        }
    }

    /// <summary>Waits until the committed offsets this node serves include every commit acknowledged before the join (the
    /// member then starts exactly there), retrying failures after <c>retry.backoff.ms</c>; returns a failure that retrying
    /// cannot cure (this node holds no replica of the group's offsets).</summary>
    private async Task<CommitLogException?> CatchUpOffsetsAsync(CancellationToken cancellationToken)
    {
        while (_catchUpOffsets is not null)
        {
            try
            {
                await _catchUpOffsets(_groupId, cancellationToken).ConfigureAwait(false);
                return null;
            }
            catch (CommitLogException e) when (!e.IsRetriable)
            {
                return e;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                GroupLogMessages.OffsetsCatchUpRetried(_logger, e, MemberId, _groupId);
                await Task.Delay(CatchUpRetryBackoff, _time, cancellationToken).ConfigureAwait(false);
            }
        }

        return null;
    }

    /// <summary>After a coordinator error (it moved, is unreachable or is loading): waits <c>retry.backoff.ms</c> before the
    /// member asks again, so that a coordinator failover is retried at a bounded rate, within the member's timeouts.</summary>
    private async ValueTask BackOffIfCoordinatorMovedAsync(ErrorCode error, CancellationToken cancellationToken)
    {
        if (IsCoordinatorError(error))
        {
            await Task.Delay(CatchUpRetryBackoff, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsCoordinatorError(ErrorCode error)
        => error is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress;

    /// <summary>Remembers the request the join waits for (see <see cref="IsWaitingForCoordinatorOrIdle"/>).</summary>
    private Task<T> Pending<T>(Task<T> request, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _pendingRequest = request;
        }

        return request.WaitAsync(cancellationToken);
    }

    /// <summary>Decides what to do after an error: the member id is reset for UnknownMemberId; fencing and protocol errors are fatal.</summary>
    private CommitLogException? Retry(ErrorCode error, string request)
    {
        GroupLogMessages.RequestRetried(_logger, MemberId, _groupId, request, error);
        switch (error)
        {
            case ErrorCode.UnknownMemberId:
                lock (_lock)
                {
                    _memberId = string.Empty;
                    _generationId = -1;
                }

                return null;
            case ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration:
                return null;
            case ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress:
                return null; // the next request finds the coordinator again (after a backoff)
            default:
                return Fatal(error, _groupId, _config.GroupInstanceId);
        }
    }

    /// <summary>Runs the assignor over every member's subscription with the topics' current partition counts.</summary>
    private (Dictionary<string, byte[]> Assignments, Dictionary<string, int> Snapshot) Lead(JoinGroupResponse join)
    {
        var subscriptions = join.Members.ToDictionary(
            m => m.MemberId, m => ConsumerProtocol.DecodeSubscription(m.Metadata, m.GroupInstanceId), StringComparer.Ordinal);
        var snapshot = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string topic in subscriptions.Values.SelectMany(s => s.Topics).Distinct(StringComparer.Ordinal))
        {
            snapshot[topic] = _topics.TryGetPartitionCount(topic, out int count) ? count : 0;
        }

        var existing = snapshot.Where(kv => kv.Value > 0).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        // The coordinator chose the protocol every member supports; run that assignor.
        IPartitionAssignor assignor = _assignors.FirstOrDefault(a => a.Name == join.ProtocolName) ?? _assignors[0];
        var assignment = assignor.Assign(existing, subscriptions);
        byte[] counts = ConsumerProtocol.EncodeTopicCounts(snapshot);
        var bytes = assignment.ToDictionary(
            kv => kv.Key,
            kv => ConsumerProtocol.EncodeAssignment(kv.Value, string.Equals(kv.Key, join.MemberId, StringComparison.Ordinal) ? counts : null),
            StringComparer.Ordinal);
        return (bytes, snapshot);
    }
}

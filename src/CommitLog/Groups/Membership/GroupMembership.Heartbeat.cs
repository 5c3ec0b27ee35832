using CommitLog.Groups.Coordinator;
using CommitLog.Storage;

namespace CommitLog.Groups.Membership;

/// <content>The heartbeat timer: a beat to an in-process coordinator is answered on the timer's thread; a beat to a remote
/// coordinator is tracked, never waited for.</content>
internal sealed partial class GroupMembership
{
    /// <summary>The heartbeat timer: checks the poll interval, then heartbeats; errors become flags the next poll acts on.</summary>
    private void OnHeartbeat()
    {
        HeartbeatRequest? heartbeat = null;
        string? leaving = null;
        int generation;
        lock (_lock)
        {
            if (_disposed || !_inGroup || _joinInFlight)
            {
                return;
            }

            generation = _generationId;
            if (_time.GetUtcNow() - _lastPoll > _config.MaxPollIntervalMs)
            {
                GroupLogMessages.PollIntervalExceeded(_logger, _memberId, _groupId, _config.MaxPollIntervalMs.TotalMilliseconds);
                leaving = _config.GroupInstanceId is null ? _memberId : null;
                LoseMembership("max.poll.interval.ms passed without a poll", resetMemberId: true);
            }
            else if (!_heartbeatInFlight)
            {
                heartbeat = new HeartbeatRequest(_groupId, _generationId, _memberId, _config.GroupInstanceId);
            }
        }

        if (leaving is not null)
        {
            TryLeave(leaving, "max.poll.interval.ms passed without a poll");
            return;
        }

        if (heartbeat is null)
        {
            return;
        }

        ValueTask<ErrorCode> answer;
        try
        {
            answer = _coordinator.HeartbeatAsync(heartbeat);
        }
        catch (ObjectDisposedException)
        {
            return; // The broker is closing.
        }

        if (answer.IsCompleted)
        {
            // An in-process coordinator answers at once: handled on the timer's thread, as before.
            OnHeartbeatAnswer(generation, answer.Result);
            return;
        }

        // A remote coordinator: the timer's thread does not wait; later ticks skip while this one is in flight.
        lock (_lock)
        {
            _heartbeatInFlight = true;
        }

        _ = AwaitHeartbeatAsync(answer, generation);
    }

    private async Task AwaitHeartbeatAsync(ValueTask<ErrorCode> answer, int generation)
    {
        ErrorCode error;
        try
        {
            error = await answer.ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            error = ErrorCode.CoordinatorNotAvailable; // The broker is closing.
        }
        finally
        {
            lock (_lock)
            {
                _heartbeatInFlight = false;
            }
        }

        OnHeartbeatAnswer(generation, error);
    }

    /// <summary>Acts on a heartbeat's answer for <paramref name="generation"/>; errors become flags the next poll acts on.</summary>
    private void OnHeartbeatAnswer(int generation, ErrorCode error)
    {
        lock (_lock)
        {
            if (_disposed || !_inGroup || _generationId != generation)
            {
                return;
            }

            switch (error)
            {
                case ErrorCode.None:
                    break;
                case ErrorCode.RebalanceInProgress:
                    _rejoinReason ??= "the group is rebalancing";
                    break;
                case ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress:
                    // Kafka: find the coordinator again and keep heartbeating; the next beat is routed anew. A new
                    // coordinator that does not know the member answers UnknownMemberId, and the member rejoins there.
                    GroupLogMessages.RequestRetried(_logger, _memberId, _groupId, "Heartbeat", error);
                    break;
                case ErrorCode.FencedInstanceId:
                    _fatal = Fatal(error, _groupId, _config.GroupInstanceId);
                    LoseMembership(_fatal.Message, resetMemberId: true);
                    break;
                default:
                    LoseMembership($"the coordinator answered the heartbeat with {error}", resetMemberId: error == ErrorCode.UnknownMemberId);
                    break;
            }
        }
    }

    /// <summary>Leaves the generation after removal; the next poll reports the partitions lost and rejoins. Caller holds the lock.</summary>
    private void LoseMembership(string reason, bool resetMemberId)
    {
        _inGroup = false;
        _isLeader = false;
        _generationId = -1;
        _leaderSnapshot = null;
        _lostReason = reason;
        if (resetMemberId)
        {
            _memberId = string.Empty;
        }
    }
}

namespace CommitLog.Replication.Replica;

/// <content>
/// The ISR as the leader sees it (Kafka's KIP-497 rules). The committed ISR is the control plane's; at most one change
/// is in flight. The high watermark waits for the maximal ISR: the committed ISR plus the members a pending change
/// adds, so a follower that joins has everything below the high watermark; a member a pending change removes still
/// counts until the removal is committed. When the control plane refuses the change, the maximal ISR falls back to the
/// committed one and the high watermark moves on without the members it proposed. A change whose answer does not come
/// is sent again, never dropped: it may still be committed, and a member added behind the leader's back must hold
/// every record below the high watermark (Kafka's leader also keeps retrying its AlterPartition).
/// </content>
internal sealed partial class LeaderPartition
{
    /// <summary>Gets the ISR the high watermark waits for: the committed ISR plus members a pending change adds (removals still count).</summary>
    public IReadOnlyList<int> MaximalIsr => _inFlightIsr is null ? _state.Isr : [.. _state.Isr.Union(_inFlightIsr.Isr)];

    /// <summary>Checks the ISR for followers that fell behind, re-sends an unanswered ISR change and times out produces.</summary>
    public void Tick(long nowMs, List<OutgoingMessage> output)
    {
        if (_inFlightIsr is not null && nowMs - _inFlightIsrSentMs >= _options.AlterIsrTimeoutMs)
        {
            // No answer in time: the change may still be committed, so it keeps counting and is sent again.
            _inFlightIsrSentMs = nowMs;
            _newIsrRequest = _inFlightIsr;
        }

        if (_inFlightIsr is null)
        {
            var lagging = _state.Isr.Where(r => r != _nodeId && _followers.TryGetValue(r, out var f)
                && nowMs - f.LastCaughtUpMs > _options.ReplicaLagTimeMaxMs).ToList();
            if (lagging.Count > 0)
            {
                RequestIsr([.. _state.Isr.Except(lagging)], nowMs);
            }
            else
            {
                foreach (var (replica, follower) in _followers)
                {
                    MaybeExpandIsr(replica, follower, nowMs);
                }
            }
        }

        CompletePending(nowMs, output);
    }

    /// <summary>
    /// The control plane refused <paramref name="request"/>: if it is the change in flight, the leader goes back to its
    /// committed ISR, so the members it proposed stop holding the high watermark back. Another request is ignored.
    /// </summary>
    public void RejectIsrChange(AlterIsrRequest request, long nowMs, List<OutgoingMessage> output)
    {
        if (_inFlightIsr is not null && _inFlightIsr.Equals(request))
        {
            DropInFlightIsr();
            CompletePending(nowMs, output);
        }
    }

    /// <summary>Takes the ISR change this leader decided on since the last call, if any.</summary>
    public AlterIsrRequest? TakeNewIsrRequest()
    {
        var request = _newIsrRequest;
        _newIsrRequest = null;
        return request;
    }

    /// <summary>
    /// Proposes <paramref name="replica"/> for the ISR when it has reached the high watermark and the epoch start, its
    /// broker is eligible, and it caught up within <c>replica.lag.time.max.ms</c>: the tick looks at every follower, and
    /// a follower that stopped fetching (its last, maybe parked, fetch handled late) must not be proposed again and
    /// again from what it once reported.
    /// </summary>
    private void MaybeExpandIsr(int replica, FollowerProgress follower, long nowMs)
    {
        if (_inFlightIsr is not null || _state.Isr.Contains(replica) || !_isIsrEligible(replica)
            || nowMs - follower.LastCaughtUpMs > _options.ReplicaLagTimeMaxMs)
        {
            return;
        }

        if (follower.LogEndOffset >= _log.HighWatermark && follower.LogEndOffset >= _epochStartOffset && follower.LogEndOffset >= 0)
        {
            RequestIsr([.. _state.Isr, replica], nowMs);
        }
    }

    private void RequestIsr(List<int> isr, long nowMs)
    {
        _inFlightIsr = new AlterIsrRequest(_state.TopicPartition, _state.LeaderEpoch, _state.PartitionEpoch, isr);
        _inFlightIsrSentMs = nowMs;
        _newIsrRequest = _inFlightIsr;
    }

    private void DropInFlightIsr()
    {
        _inFlightIsr = null;
        _newIsrRequest = null;
        MaybeAdvanceHighWatermark();
    }
}

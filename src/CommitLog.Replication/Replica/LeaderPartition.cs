using CommitLog.Replication.Control;
using CommitLog.Replication.Protocol;

namespace CommitLog.Replication.Replica;

/// <summary>
/// The leader side of one partition in one leader epoch: the followers' progress, the ISR (committed and pending),
/// the high watermark, fetch answers and <c>acks=all</c> produces waiting for the high watermark.
/// </summary>
internal sealed partial class LeaderPartition
{
    private readonly int _nodeId;
    private readonly IReplicaLog _log;
    private readonly ReplicationOptions _options;
    private readonly ReplicationMetrics _metrics;
    private readonly Func<int, bool> _isIsrEligible;
    private readonly Dictionary<int, FollowerProgress> _followers = [];
    private readonly List<PendingProduce> _pending = [];
    private readonly long _epochStartOffset;
    private PartitionState _state;
    private ReplicatedTopic _topic;
    private AlterIsrRequest? _inFlightIsr;
    private long _inFlightIsrSentMs;
    private AlterIsrRequest? _newIsrRequest;

    public LeaderPartition(int nodeId, PartitionState state, ReplicatedTopic topic, IReplicaLog log, ReplicationOptions options,
        ReplicationMetrics metrics, Func<int, bool> isIsrEligible, long nowMs)
    {
        _nodeId = nodeId;
        _state = state;
        _topic = topic;
        _log = log;
        _options = options;
        _metrics = metrics;
        _isIsrEligible = isIsrEligible; // a registered, unfenced broker as this node's metadata knows (KIP-841)
        var epochs = log.LeaderEpochs;
        if (epochs.Count == 0 || epochs[^1].Epoch < state.LeaderEpoch)
        {
            log.SetLeaderEpoch(state.LeaderEpoch);
            epochs = log.LeaderEpochs;
        }

        // Kafka's leader-epoch start offset: the log end when this replica took over. A follower joins the ISR only once
        // it has everything up to there. That is also right when this node restarted and leads again in the same epoch
        // (it was not fenced in between): its high watermark may have come back lower than it was, and records above
        // it may have been acknowledged, so a follower that merely reached the reopened high watermark must not join.
        _epochStartOffset = log.LogEndOffset;
        foreach (var replica in state.Replicas)
        {
            if (replica != nodeId)
            {
                // Kafka: an ISR member starts as caught up now; an outsider must catch up first.
                _followers[replica] = new FollowerProgress { LastCaughtUpMs = state.Isr.Contains(replica) ? nowMs : long.MinValue / 2 };
            }
        }
    }

    public PartitionState State => _state;

    public int LeaderEpoch => _state.LeaderEpoch;

    public IReplicaLog Log => _log;

    public bool IsUnderReplicated => _state.Isr.Count < _state.Replicas.Count;

    /// <summary>Takes a newer state of the same leader epoch (an ISR change was committed).</summary>
    public void UpdateState(PartitionState state, ReplicatedTopic topic, List<OutgoingMessage> output)
    {
        if (state.PartitionEpoch <= _state.PartitionEpoch)
        {
            return;
        }

        if (state.Isr.Count < _state.Isr.Count)
        {
            _metrics.IsrShrink();
        }
        else if (state.Isr.Count > _state.Isr.Count)
        {
            _metrics.IsrExpand();
        }

        _state = state;
        _topic = topic;
        if (_inFlightIsr is not null && _inFlightIsr.PartitionEpoch < state.PartitionEpoch)
        {
            _inFlightIsr = null;
        }

        MaybeAdvanceHighWatermark();
        CompletePending(long.MinValue, output);
    }

    /// <summary>Answers one partition of a follower's fetch (KIP-320 divergence check, then the records from its offset).</summary>
    public FetchPartitionResponse HandleFetch(int replicaId, FetchPartitionRequest request, long nowMs, List<OutgoingMessage> output)
    {
        if (request.CurrentLeaderEpoch != _state.LeaderEpoch)
        {
            return Error(request, request.CurrentLeaderEpoch < _state.LeaderEpoch
                ? ReplicationErrorCode.FencedLeaderEpoch : ReplicationErrorCode.UnknownLeaderEpoch);
        }

        if (!_followers.TryGetValue(replicaId, out var follower))
        {
            return Error(request, ReplicationErrorCode.NotLeaderOrFollower);
        }

        var logEnd = _log.LogEndOffset;
        if (request.LastFetchedEpoch >= 0)
        {
            var (epoch, endOffset) = _log.EndOffsetForEpoch(request.LastFetchedEpoch);
            if (epoch < request.LastFetchedEpoch || endOffset < request.FetchOffset)
            {
                if (epoch < 0)
                {
                    // The leader knows no epoch this old: everything from its first epoch on is newer than the follower's.
                    endOffset = _log.LogStartOffset;
                }

                return new FetchPartitionResponse(request.Topic, request.Partition, ReplicationErrorCode.None, _log.HighWatermark,
                    _log.LogStartOffset, epoch, endOffset, ReadOnlyMemory<byte>.Empty);
            }
        }

        if (request.FetchOffset < _log.LogStartOffset || request.FetchOffset > logEnd)
        {
            return Error(request, ReplicationErrorCode.OffsetOutOfRange);
        }

        follower.LogEndOffset = request.FetchOffset;
        if (request.FetchOffset >= logEnd)
        {
            follower.LastCaughtUpMs = nowMs;
        }
        else if (follower.LeaderEndAtLastFetch >= 0 && request.FetchOffset >= follower.LeaderEndAtLastFetch)
        {
            follower.LastCaughtUpMs = Math.Max(follower.LastCaughtUpMs, follower.LastFetchMs);
        }

        follower.LastFetchMs = nowMs;
        follower.LeaderEndAtLastFetch = logEnd;
        MaybeExpandIsr(replicaId, follower, nowMs);
        MaybeAdvanceHighWatermark();
        CompletePending(nowMs, output);
        if (request.FetchOffset >= logEnd)
        {
            return new FetchPartitionResponse(request.Topic, request.Partition, ReplicationErrorCode.None, _log.HighWatermark,
                _log.LogStartOffset, -1, -1, ReadOnlyMemory<byte>.Empty);
        }

        // The records stay in the read's pooled buffer until the answer is encoded (no copy per follower here).
        var read = _log.ReadToLogEnd(request.FetchOffset, Math.Max(1, request.MaxBytes));
        return new FetchPartitionResponse(request.Topic, request.Partition, ReplicationErrorCode.None, _log.HighWatermark,
            _log.LogStartOffset, -1, -1, read.Records, read);
    }

    /// <summary>HW = the smallest log end offset over the maximal ISR; it never moves back.</summary>
    private void MaybeAdvanceHighWatermark()
    {
        var hw = _log.LogEndOffset;
        foreach (var member in MaximalIsr)
        {
            if (member == _nodeId)
            {
                continue;
            }

            if (!_followers.TryGetValue(member, out var follower) || follower.LogEndOffset < 0)
            {
                return;
            }

            hw = Math.Min(hw, follower.LogEndOffset);
        }

        if (hw > _log.HighWatermark)
        {
            _log.UpdateHighWatermark(hw);
        }
    }

    private FetchPartitionResponse Error(FetchPartitionRequest request, ReplicationErrorCode error)
        => new(request.Topic, request.Partition, error, _log.HighWatermark, _log.LogStartOffset, -1, -1, ReadOnlyMemory<byte>.Empty);
}

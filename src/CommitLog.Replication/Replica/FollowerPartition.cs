using CommitLog.Replication.Control;
using CommitLog.Replication.Protocol;
using CommitLog.Storage;

namespace CommitLog.Replication.Replica;

/// <summary>
/// The follower side of one partition while it follows one leader in one epoch: fetches from its log end and last
/// epoch, copies what it gets, truncates on a diverging epoch (never to its own high watermark) and skips forward when
/// the leader's log starts after its end.
/// </summary>
internal sealed class FollowerPartition
{
    /// <summary>How soon a follower retries a fetch that could not be sent (while the connection is re-dialed).</summary>
    private const long LostFetchRetryMs = 20;

    private readonly int _nodeId;
    private readonly IReplicaLog _log;
    private readonly ReplicationOptions _options;
    private readonly PartitionState _state;
    private int _inFlightCorrelation = -1;
    private long _inFlightOffset;
    private long _inFlightSentMs;
    private long _nextFetchMs;

    public FollowerPartition(int nodeId, PartitionState state, IReplicaLog log, ReplicationOptions options)
    {
        _nodeId = nodeId;
        _state = state;
        _log = log;
        _options = options;
    }

    public PartitionState State => _state;

    public int Leader => _state.Leader;

    public int LeaderEpoch => _state.LeaderEpoch;

    /// <summary>Gets the follower's lag in records behind the leader's high watermark it last heard of.</summary>
    public long Lag { get; private set; }

    /// <summary>Gets how many fetch responses carried records the log refused (corrupt, or not following its end).</summary>
    public int RejectedResponses { get; private set; }

    /// <summary>Gets the truncations this follower did on a diverging epoch (for tests and logs).</summary>
    public int Truncations { get; private set; }

    /// <summary>Sends a fetch when none is outstanding and the backoff has passed; forgets one that got no answer in time.</summary>
    public FetchRequest? MaybeFetch(long nowMs, Func<int> nextCorrelationId)
    {
        if (_inFlightCorrelation >= 0)
        {
            if (nowMs - _inFlightSentMs < _options.FetchTimeoutMs)
            {
                return null;
            }

            _inFlightCorrelation = -1;
        }

        if (nowMs < _nextFetchMs)
        {
            return null;
        }

        _inFlightCorrelation = nextCorrelationId();
        _inFlightOffset = _log.LogEndOffset;
        _inFlightSentMs = nowMs;
        var request = new FetchPartitionRequest(_state.Topic, _state.Partition, _state.LeaderEpoch, _inFlightOffset, LastFetchedEpoch(_log),
            _log.LogStartOffset, _options.FetchMaxBytes);
        return new FetchRequest(_inFlightCorrelation, _nodeId, [request]);
    }

    /// <summary>
    /// The fetch with <paramref name="correlationId"/> never reached the leader (no connection to it, or the connection
    /// closed with the fetch outstanding): forget it and fetch again shortly, instead of waiting out the fetch timeout.
    /// </summary>
    public void FetchLost(int correlationId, long nowMs)
    {
        if (correlationId >= 0 && correlationId == _inFlightCorrelation)
        {
            _inFlightCorrelation = -1;
            _nextFetchMs = nowMs + Math.Max(_options.FetchBackoffMs, LostFetchRetryMs);
        }
    }

    /// <summary>Gets the correlation id of the outstanding fetch, or -1.</summary>
    public int InFlightCorrelation => _inFlightCorrelation;

    /// <summary>Applies the leader's answer to the outstanding fetch; a stale, duplicated or unexpected answer is ignored.</summary>
    public void HandleResponse(int correlationId, FetchPartitionResponse response, long nowMs)
    {
        if (correlationId != _inFlightCorrelation || _log.LogEndOffset != _inFlightOffset)
        {
            return;
        }

        _inFlightCorrelation = -1;
        switch (response.Error)
        {
            case ReplicationErrorCode.None when response.IsDiverging:
                Truncate(response.DivergingEpoch, response.DivergingEndOffset);
                _nextFetchMs = nowMs;
                break;
            case ReplicationErrorCode.None:
                var copied = Append(response.Records);
                _log.UpdateHighWatermark(Math.Min(response.HighWatermark, _log.LogEndOffset));
                Lag = Math.Max(0, response.HighWatermark - _log.LogEndOffset);
                _nextFetchMs = copied ? nowMs : nowMs + _options.FetchBackoffMs;
                break;
            case ReplicationErrorCode.OffsetOutOfRange when response.LogStartOffset > _log.LogEndOffset:
                // The leader's retention removed what this replica would fetch next: start over at the leader's log start.
                _log.ResetTo(response.LogStartOffset);
                _nextFetchMs = nowMs;
                break;
            default:
                // Stale or unknown epoch, not the leader: wait for newer metadata, fetching again after the backoff.
                _nextFetchMs = nowMs + _options.FetchBackoffMs;
                break;
        }
    }

    /// <summary>KIP-101/KIP-320: truncate to where this log and the leader's stop agreeing on the diverging epoch.</summary>
    private void Truncate(int leaderEpoch, long leaderEndOffset)
    {
        long target;
        if (leaderEpoch < 0)
        {
            target = Math.Min(leaderEndOffset, _log.LogEndOffset);
        }
        else
        {
            var (epoch, endOffset) = _log.EndOffsetForEpoch(leaderEpoch);
            // No epoch this old here: everything this replica has is newer than the leader's answer, so keep nothing of it.
            target = epoch < 0 ? Math.Min(leaderEndOffset, _log.LogStartOffset)
                : epoch != leaderEpoch ? Math.Min(endOffset, _log.LogEndOffset)
                : Math.Min(Math.Min(endOffset, leaderEndOffset), _log.LogEndOffset);
        }

        if (target < _log.LogStartOffset)
        {
            _log.ResetTo(target);
        }
        else
        {
            _log.TruncateTo(target);
        }

        Truncations++;
    }

    /// <summary>
    /// The epoch of the last records in the log: the latest cache entry that starts below the log end. An entry a
    /// replica added when it became leader and wrote nothing in is skipped, or the leader's divergence answer could
    /// point at an offset the follower already ends at, and truncating there would change nothing.
    /// </summary>
    internal static int LastFetchedEpoch(IReplicaLog log)
    {
        var epochs = log.LeaderEpochs;
        var end = log.LogEndOffset;
        for (var i = epochs.Count - 1; i >= 0; i--)
        {
            if (epochs[i].StartOffset < end)
            {
                return epochs[i].Epoch;
            }
        }

        return -1;
    }

    /// <summary>Copies the whole batches that start at or after this log's end; returns whether anything was copied.</summary>
    /// <remarks>Batches the log refuses (bad CRC or framing, wrong offsets) are not appended; the follower fetches again
    /// after the backoff, as after any failed fetch.</remarks>
    private bool Append(ReadOnlyMemory<byte> records)
    {
        if (records.IsEmpty)
        {
            return false;
        }

        try
        {
            var end = _log.LogEndOffset;
            int start = -1, stop = 0, position = 0;
            foreach (var batch in RecordBatch.ReadAll(records))
            {
                if (batch.Header.BaseOffset >= end && start < 0)
                {
                    start = position;
                }

                position += batch.SizeInBytes;
                stop = position;
            }

            if (start < 0 || stop <= start)
            {
                return false;
            }

            _log.AppendAsFollower(records[start..stop]);
            return true;
        }
        catch (Exception e) when (e is CorruptRecordException or RecordTooLargeException or ArgumentException)
        {
            RejectedResponses++;
            return false;
        }
    }
}

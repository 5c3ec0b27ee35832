using System.Collections.Concurrent;
using CommitLog.Replication.Protocol;
using CommitLog.Replication.Replica;

namespace CommitLog.Replication.Cluster;

/// <content>
/// Kafka's <c>replica.fetch.wait.max.ms</c> on the leader: the core answers every fetch at once, so the host holds the
/// empty answer to a follower that has caught up (and already knows the high watermark) and, when a produce arrives
/// for one of its partitions or the wait ends, hands the same fetch to the core again and sends that fresh answer.
/// Followers then copy new records one round trip after they are appended instead of one poll interval later.
/// </content>
internal sealed partial class NodeHost
{
    private readonly List<ParkedFetch> _parked = [];
    private readonly List<OutgoingMessage> _heldOutput = [];
    private readonly ConcurrentDictionary<(int Node, TopicPartition Partition), long> _sentHighWatermarks = new();

    /// <summary>Holds the answer to <paramref name="fetch"/> if it is empty and tells the follower nothing new. Under the lock.</summary>
    private void MaybePark(int from, FetchRequest fetch, long nowMs)
    {
        var output = _core.TakeMessages();
        var index = output.FindIndex(m => m.To == from && m.Message is FetchResponse r && r.CorrelationId == fetch.CorrelationId);
        if (index >= 0 && _options.ReplicaFetchWaitMax > TimeSpan.Zero && IsNothingNew(from, (FetchResponse)output[index].Message))
        {
            output.RemoveAt(index);
            _parked.Add(new ParkedFetch(from, fetch, nowMs + (long)_options.ReplicaFetchWaitMax.TotalMilliseconds));
        }

        _heldOutput.AddRange(output);
    }

    /// <summary>Hands the parked fetches that <paramref name="wake"/> selects to the core again. Under the lock.</summary>
    private void WakeParkedFetches(Func<ParkedFetch, bool> wake)
    {
        if (_parked.Count == 0)
        {
            return;
        }

        var woken = _parked.FindAll(p => wake(p));
        if (woken.Count == 0)
        {
            return;
        }

        _parked.RemoveAll(p => wake(p));
        var now = NowMs;
        foreach (var parked in woken)
        {
            _core.Receive(parked.From, parked.Request, now);
        }
    }

    private bool IsNothingNew(int from, FetchResponse response)
    {
        foreach (var p in response.Partitions)
        {
            if (p.Error != ReplicationErrorCode.None || p.IsDiverging || !p.Records.IsEmpty
                || !_sentHighWatermarks.TryGetValue((from, new TopicPartition(p.Topic, p.Partition)), out var sent) || sent != p.HighWatermark)
            {
                return false;
            }
        }

        return response.Partitions.Count > 0;
    }

    /// <summary>Remembers the high watermark each follower was last told, so an answer that moves it is never held.</summary>
    private void NoteSent(int to, ReplicationMessage message)
    {
        if (message is FetchResponse response)
        {
            foreach (var p in response.Partitions)
            {
                _sentHighWatermarks[(to, new TopicPartition(p.Topic, p.Partition))] = p.HighWatermark;
            }
        }
    }

    /// <summary>A follower's fetch the leader holds until new records arrive or <see cref="DeadlineMs"/>.</summary>
    private sealed record ParkedFetch(int From, FetchRequest Request, long DeadlineMs)
    {
        public bool Touches(TopicPartition partition)
            => Request.Partitions.Any(p => p.Topic == partition.Topic && p.Partition == partition.Partition.Value);
    }
}

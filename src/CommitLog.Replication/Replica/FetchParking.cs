using System.Collections.Concurrent;
using CommitLog.Replication.Protocol;

namespace CommitLog.Replication.Replica;

/// <summary>
/// Kafka's <c>replica.fetch.wait.max.ms</c> on the leader: the core answers every fetch at once, so its host holds the
/// empty answer to a follower that has caught up (and already knows the high watermark) and, when a produce arrives for
/// one of its partitions, new metadata arrives or the wait ends, hands the same fetch to the core again and sends that
/// fresh answer. Followers then copy new records one round trip after they are appended instead of one poll interval
/// later. A held fetch can so be handled after its follower crashed or was fenced. Used by the cluster node's host
/// (under its lock, except <see cref="NoteSent"/>, which may run beside it) and by the simulation.
/// </summary>
internal sealed class FetchParking(long waitMs)
{
    private readonly List<ParkedFetch> _parked = [];
    private readonly ConcurrentDictionary<(int Node, TopicPartition Partition), long> _sentHighWatermarks = new();

    /// <summary>Forgets everything (the process restarted).</summary>
    public void Clear()
    {
        _parked.Clear();
        _sentHighWatermarks.Clear();
    }

    /// <summary>
    /// Removes the answer to <paramref name="fetch"/> from <paramref name="output"/> and holds the fetch when the answer
    /// tells the follower nothing new (no records, no error or divergence, the high watermark it was last sent).
    /// </summary>
    public void MaybePark(int from, FetchRequest fetch, List<OutgoingMessage> output, long nowMs)
    {
        if (waitMs <= 0)
        {
            return;
        }

        var index = output.FindIndex(m => m.To == from && m.Message is FetchResponse r && r.CorrelationId == fetch.CorrelationId);
        if (index >= 0 && IsNothingNew(from, (FetchResponse)output[index].Message))
        {
            output.RemoveAt(index);
            _parked.Add(new ParkedFetch(from, fetch, nowMs + waitMs));
        }
    }

    /// <summary>Hands the held fetches <paramref name="wake"/> selects to <paramref name="core"/> again; their answers go out with its output.</summary>
    public void Wake(ReplicaNode core, Func<ParkedFetch, bool> wake, long nowMs)
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
        foreach (var parked in woken)
        {
            core.Receive(parked.From, parked.Request, nowMs);
        }
    }

    /// <summary>Remembers the high watermark each follower was last told, so an answer that moves it is never held.</summary>
    public void NoteSent(int to, ReplicationMessage message)
    {
        if (message is FetchResponse response)
        {
            foreach (var p in response.Partitions)
            {
                _sentHighWatermarks[(to, new TopicPartition(p.Topic, p.Partition))] = p.HighWatermark;
            }
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
}

/// <summary>A follower's fetch the leader holds until new records arrive or <see cref="DeadlineMs"/>.</summary>
/// <param name="From">The follower's node id.</param>
/// <param name="Request">The fetch, handed to the core again when woken.</param>
/// <param name="DeadlineMs">When the wait ends (<c>replica.fetch.wait.max.ms</c> after it arrived).</param>
internal sealed record ParkedFetch(int From, FetchRequest Request, long DeadlineMs)
{
    /// <summary>Gets whether the fetch asks for <paramref name="partition"/>.</summary>
    public bool Touches(TopicPartition partition)
        => Request.Partitions.Any(p => p.Topic == partition.Topic && p.Partition == partition.Partition.Value);
}

using CommitLog.Replication.Protocol;
using CommitLog.Replication.Replica;

namespace CommitLog.Replication.Tests.Simulation;

/// <summary>
/// Kafka's <c>replica.fetch.wait.max.ms</c> on the leader, as the cluster node's host does it (NodeHost.LongPoll.cs):
/// the core answers every fetch at once, so the host holds the empty answer to a follower that has caught up and already
/// knows the high watermark, and hands the same fetch to the core again when a produce or new metadata arrives or the
/// wait ends. A held fetch can so be handled after its follower crashed or was fenced, which the simulation must cover.
/// </summary>
internal sealed class SimLongPoll(long waitMs)
{
    private readonly List<(int From, FetchRequest Request, long DeadlineMs)> _parked = [];
    private readonly Dictionary<(int Node, TopicPartition Partition), long> _sentHighWatermarks = [];

    /// <summary>Forgets everything (the process restarted).</summary>
    public void Clear()
    {
        _parked.Clear();
        _sentHighWatermarks.Clear();
    }

    /// <summary>Removes the answer to <paramref name="fetch"/> from <paramref name="output"/> and holds the fetch if the answer tells the follower nothing new.</summary>
    public void MaybePark(int from, FetchRequest fetch, List<OutgoingMessage> output, long nowMs)
    {
        var index = output.FindIndex(m => m.To == from && m.Message is FetchResponse r && r.CorrelationId == fetch.CorrelationId);
        if (index >= 0 && IsNothingNew(from, (FetchResponse)output[index].Message))
        {
            output.RemoveAt(index);
            _parked.Add((from, fetch, nowMs + waitMs));
        }
    }

    /// <summary>Hands the held fetches <paramref name="wake"/> selects to the core again; their answers go out with the core's output.</summary>
    public void Wake(ReplicaNode core, Func<(int From, FetchRequest Request, long DeadlineMs), bool> wake, long nowMs)
    {
        var woken = _parked.FindAll(p => wake(p));
        _parked.RemoveAll(p => wake(p));
        foreach (var (from, request, _) in woken)
        {
            core.Receive(from, request, nowMs);
        }
    }

    /// <summary>Remembers the high watermark each follower was last told, so an answer that moves it is never held.</summary>
    public void NoteSent(int to, object message)
    {
        if (message is FetchResponse response)
        {
            foreach (var p in response.Partitions)
            {
                _sentHighWatermarks[(to, new TopicPartition(p.Topic, p.Partition))] = p.HighWatermark;
            }
        }
    }

    public static bool Touches(FetchRequest request, string topic, int partition)
        => request.Partitions.Any(p => p.Topic == topic && p.Partition == partition);

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

using CommitLog.Replication.Protocol;

namespace CommitLog.Replication.Replica;

/// <content>Received messages.</content>
internal sealed partial class ReplicaNode
{
    /// <summary>Handles a message from <paramref name="from"/> (a node id, or a producer's sender id).</summary>
    public void Receive(int from, ReplicationMessage message, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(message);
        switch (message)
        {
            case FetchRequest fetch:
                Metrics.Request("Fetch");
                var answers = new List<FetchPartitionResponse>(fetch.Partitions.Count);
                foreach (var p in fetch.Partitions)
                {
                    var tp = new TopicPartition(p.Topic, p.Partition);
                    answers.Add(_leaders.TryGetValue(tp, out var leader)
                        ? leader.HandleFetch(fetch.ReplicaId, p, nowMs, _messages)
                        : new FetchPartitionResponse(p.Topic, p.Partition, EpochError(tp, p.CurrentLeaderEpoch), -1, -1, -1, -1, ReadOnlyMemory<byte>.Empty));
                }

                _messages.Add(new OutgoingMessage(from, new FetchResponse(fetch.CorrelationId, answers)));
                break;
            case FetchResponse response:
                foreach (var p in response.Partitions)
                {
                    if (_followers.TryGetValue(new TopicPartition(p.Topic, p.Partition), out var follower) && follower.Leader == from)
                    {
                        follower.HandleResponse(response.CorrelationId, p, nowMs);
                    }
                }

                break;
            case ProduceRequest produce:
                Metrics.Request("Produce");
                var target = new TopicPartition(produce.Topic, produce.Partition);
                if (_leaders.TryGetValue(target, out var partitionLeader))
                {
                    partitionLeader.HandleProduce(from, produce, nowMs, _messages);
                }
                else
                {
                    _messages.Add(new OutgoingMessage(from, new ProduceResponse(produce.CorrelationId, produce.Topic, produce.Partition,
                        _knownEpochs.ContainsKey(target) ? ReplicationErrorCode.NotLeaderOrFollower : ReplicationErrorCode.UnknownTopicOrPartition,
                        -1, -1, -1)));
                }

                break;
            default:
                // Produce responses are for producers; a node ignores them.
                break;
        }

        CollectIsrRequests();
    }

    /// <summary>Reads committed records (below the high watermark) of a partition this node leads, for a consumer.</summary>
    /// <returns>The records, or null when this node does not lead the partition.</returns>
    public byte[]? ReadCommitted(TopicPartition partition, long offset, int maxBytes)
        => _leaders.TryGetValue(partition, out var leader) ? leader.Log.ReadCommitted(offset, maxBytes) : null;

    /// <summary>Kafka's answer to a fetch for a partition this node does not lead in the request's epoch.</summary>
    private ReplicationErrorCode EpochError(TopicPartition tp, int requestEpoch)
    {
        if (!_knownEpochs.TryGetValue(tp, out var known))
        {
            return ReplicationErrorCode.UnknownTopicOrPartition;
        }

        return requestEpoch < known ? ReplicationErrorCode.FencedLeaderEpoch
            : requestEpoch > known ? ReplicationErrorCode.UnknownLeaderEpoch
            : ReplicationErrorCode.NotLeaderOrFollower;
    }
}

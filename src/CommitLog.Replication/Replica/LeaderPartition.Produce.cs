using CommitLog.Replication.Protocol;
using CommitLog.Storage;

namespace CommitLog.Replication.Replica;

/// <content>Produce handling: min.insync.replicas, acks=1 and acks=all, timeouts.</content>
internal sealed partial class LeaderPartition
{
    /// <summary>Appends a producer's batches; the answer goes to <paramref name="output"/> now (acks=1, errors) or when the HW passes them.</summary>
    public void HandleProduce(int from, ProduceRequest request, long nowMs, List<OutgoingMessage> output)
    {
        if (request.Acks is not (1 or ProduceRequest.AcksAll))
        {
            output.Add(Reply(from, request, ReplicationErrorCode.InvalidRequiredAcks));
            return;
        }

        if (request.Acks == ProduceRequest.AcksAll && _state.Isr.Count < _topic.MinInsyncReplicas)
        {
            output.Add(Reply(from, request, ReplicationErrorCode.NotEnoughReplicas));
            return;
        }

        AppendResult result;
        try
        {
            result = _log.Append(request.Records.ToArray());
        }
        catch (Exception e) when (ToError(e) is { } error)
        {
            output.Add(Reply(from, request, error));
            return;
        }

        MaybeAdvanceHighWatermark(); // also for acks=1: a leader alone in its ISR has nobody whose fetch would advance it
        if (request.Acks == 1)
        {
            output.Add(new OutgoingMessage(from, new ProduceResponse(request.CorrelationId, request.Topic, request.Partition,
                ReplicationErrorCode.None, result.FirstOffset, result.LogAppendTime, _log.LogStartOffset)));
            return;
        }

        _pending.Add(new PendingProduce(from, request.CorrelationId, result.FirstOffset, result.LastOffset, result.LogAppendTime,
            nowMs + Math.Max(0, request.TimeoutMs)));
        CompletePending(nowMs, output);
    }

    /// <summary>Fails every waiting produce: this replica no longer leads in this epoch.</summary>
    public void Resign(List<OutgoingMessage> output)
    {
        foreach (var p in _pending)
        {
            output.Add(new OutgoingMessage(p.From, new ProduceResponse(p.CorrelationId, _state.Topic, _state.Partition,
                ReplicationErrorCode.NotLeaderOrFollower, -1, -1, -1)));
        }

        _pending.Clear();
    }

    /// <summary>Answers the waiting produces the HW passed (or whose time ran out).</summary>
    private void CompletePending(long nowMs, List<OutgoingMessage> output)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var hw = _log.HighWatermark;
        _pending.RemoveAll(p =>
        {
            ReplicationErrorCode error;
            if (hw > p.LastOffset)
            {
                // Kafka re-checks min.insync.replicas when the records are committed: the ISR may have shrunk meanwhile.
                error = _state.Isr.Count < _topic.MinInsyncReplicas ? ReplicationErrorCode.NotEnoughReplicasAfterAppend : ReplicationErrorCode.None;
            }
            else if (nowMs >= p.DeadlineMs)
            {
                error = ReplicationErrorCode.RequestTimedOut;
            }
            else
            {
                return false;
            }

            output.Add(new OutgoingMessage(p.From, new ProduceResponse(p.CorrelationId, _state.Topic, _state.Partition, error,
                error == ReplicationErrorCode.None ? p.BaseOffset : -1, p.LogAppendTime, _log.LogStartOffset)));
            return true;
        });
    }

    private static OutgoingMessage Reply(int from, ProduceRequest request, ReplicationErrorCode error)
        => new(from, new ProduceResponse(request.CorrelationId, request.Topic, request.Partition, error, -1, -1, -1));

    /// <summary>Maps the log's refusals to protocol errors; anything else propagates.</summary>
    private static ReplicationErrorCode? ToError(Exception e) => e switch
    {
        OutOfOrderSequenceException => ReplicationErrorCode.OutOfOrderSequenceNumber,
        ProducerFencedException => ReplicationErrorCode.InvalidProducerEpoch,
        RecordTooLargeException => ReplicationErrorCode.MessageTooLarge,
        CorruptRecordException or DuplicateSequenceException or InvalidRecordException or ArgumentException => ReplicationErrorCode.CorruptMessage,
        LogStorageException => ReplicationErrorCode.KafkaStorageError,
        _ => null,
    };
}

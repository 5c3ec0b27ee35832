using System.Collections.Concurrent;
using CommitLog.Replication.Control;
using CommitLog.Replication.Protocol;
using CommitLog.Storage;

namespace CommitLog.Replication.Cluster;

/// <content>
/// The broker's replication seam: a producer's append to a replicated partition goes into the core when this node
/// leads it, or to the leader over the connection this node dialed; either way it completes only on the leader's
/// answer, and only a success answer acknowledges anything.
/// </content>
internal sealed partial class NodeHost : IPartitionReplication
{
    private readonly ConcurrentDictionary<int, PendingSend> _pending = new();

    /// <summary>Every topic but the broker's internal ones is replicated, and <c>__consumer_offsets</c> is too (committed
    /// offsets survive a node's loss). Decided by name, so that a restarted node opens its replicated logs with a
    /// replicated high watermark before metadata arrives.</summary>
    public bool IsReplicated(string topic) => !topic.StartsWith("__", StringComparison.Ordinal) || topic == Groups.OffsetsTopic.Name;

    public async ValueTask<AppendResult> AppendAsync(TopicPartition topicPartition, Memory<byte> batches, Acks acks, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        var name = $"{topicPartition.Topic}-{topicPartition.Partition.Value}";
        if (!Metadata.Partitions.TryGetValue(topicPartition, out var state))
        {
            throw new ReplicationException(ErrorCode.UnknownTopicOrPartition,
                $"Node {NodeId} has no cluster metadata for {name} (yet); create the topic with ClusterNode.CreateTopicAsync.");
        }

        CheckProduceSize(name, batches.Length);
        var timeout = _options.RequestTimeout;
        var request = new ProduceRequest(NextCorrelationId(), topicPartition.Topic, topicPartition.Partition.Value,
            acks == Acks.All ? ProduceRequest.AcksAll : (short)1, (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds), batches);
        var completion = new TaskCompletionSource<ProduceResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (state.Leader == NodeId)
        {
            _pending[request.CorrelationId] = new PendingSend(completion, NodeId);
            try
            {
                lock (_lock)
                {
                    _core.Receive(LocalSender, request, NowMs);
                    WakeParkedFetches(p => p.Touches(topicPartition));
                }
            }
            catch
            {
                _pending.TryRemove(request.CorrelationId, out _);
                throw;
            }

            Flush();
        }
        else if (state.Leader == PartitionState.NoLeader)
        {
            throw new ReplicationException(ErrorCode.NotLeaderOrFollower, $"{name} has no leader: no in-sync replica is alive.");
        }
        else
        {
            if (!_outbound.TryGetValue(state.Leader, out var link))
            {
                throw new ReplicationException(ErrorCode.NotLeaderOrFollower,
                    $"Node {NodeId} has no connection to node {state.Leader}, the leader of {name}.");
            }

            _pending[request.CorrelationId] = new PendingSend(completion, state.Leader);
            if (!link.TrySend(MessageCodec.EncodePooled(request)))
            {
                _pending.TryRemove(request.CorrelationId, out _);
                throw new ReplicationException(ErrorCode.NotLeaderOrFollower,
                    $"Node {NodeId} could not send to node {state.Leader}, the leader of {name}: the connection is closed or congested.");
            }
        }

        ProduceResponse response;
        try
        {
            // The leader times an acks=all produce out itself after the request timeout; this bounds a lost answer.
            response = await completion.Task.WaitAsync(timeout + TimeSpan.FromSeconds(1), _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            _pending.TryRemove(request.CorrelationId, out _);
            throw new ReplicationException(ErrorCode.RequestTimedOut,
                $"No answer for the produce to {name} from node {state.Leader} within {timeout.TotalMilliseconds} ms; it may or may not be appended.", e);
        }
        finally
        {
            _pending.TryRemove(request.CorrelationId, out _);
        }

        return ToResult(response, batches, acks, name, state.Leader);
    }

    private static AppendResult ToResult(ProduceResponse response, Memory<byte> batches, Acks acks, string name, int leader)
    {
        if (response.Error != ReplicationErrorCode.None)
        {
            var code = Enum.IsDefined((ErrorCode)(int)response.Error) ? (ErrorCode)(int)response.Error : ErrorCode.Unknown;
            code = response.Error is ReplicationErrorCode.FencedLeaderEpoch or ReplicationErrorCode.UnknownLeaderEpoch
                ? ErrorCode.NotLeaderOrFollower : code;
            throw new ReplicationException(code, $"Node {leader} refused the produce to {name}: {response.Error}.", null, IsRetriable(response.Error));
        }

        long records = 0;
        foreach (var batch in RecordBatch.ReadAll(batches))
        {
            records += batch.Header.LastOffsetDelta + 1L;
        }

        return new AppendResult(response.BaseOffset, response.BaseOffset + records - 1, response.LogAppendTime,
            acks == Acks.All ? Durability.Replicated : Durability.Written);
    }

    private static bool IsRetriable(ReplicationErrorCode error) => error is ReplicationErrorCode.NotLeaderOrFollower
        or ReplicationErrorCode.UnknownTopicOrPartition or ReplicationErrorCode.NotEnoughReplicas
        or ReplicationErrorCode.NotEnoughReplicasAfterAppend or ReplicationErrorCode.RequestTimedOut
        or ReplicationErrorCode.FencedLeaderEpoch or ReplicationErrorCode.UnknownLeaderEpoch or ReplicationErrorCode.KafkaStorageError;

    /// <summary>Completes the produce <paramref name="response"/> answers, if it came from the node it was sent to.</summary>
    private void CompleteProduce(ProduceResponse response, int from)
    {
        if (_pending.TryGetValue(response.CorrelationId, out var pending) && pending.Target == from
            && _pending.TryRemove(response.CorrelationId, out _))
        {
            pending.Completion.TrySetResult(response);
        }
    }

    /// <summary>Fails the produces forwarded to <paramref name="peer"/>: their answers can no longer arrive.</summary>
    private void FailForwarded(int peer, string reason)
    {
        foreach (var (id, pending) in _pending)
        {
            if (pending.Target == peer && _pending.TryRemove(id, out _))
            {
                pending.Completion.TrySetException(new ReplicationException(ErrorCode.NotLeaderOrFollower,
                    $"No answer from node {peer}: {reason}; the produce may or may not be appended."));
            }
        }
    }

    private void FailAllPending(Exception error)
    {
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending))
            {
                pending.Completion.TrySetException(error);
            }
        }
    }

    /// <summary>A produce waiting for the answer of node <paramref name="Target"/> (this node for local produces).</summary>
    private sealed record PendingSend(TaskCompletionSource<ProduceResponse> Completion, int Target);
}

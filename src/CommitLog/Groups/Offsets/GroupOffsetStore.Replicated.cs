using CommitLog.Storage;

namespace CommitLog.Groups;

/// <content>
/// On a cluster node <c>__consumer_offsets</c> is replicated: commits are appended with <c>acks=all</c> through the
/// node, and every node's store keeps its view current by reading its own replica forward, below the high watermark
/// (records the in-sync replicas hold, never truncated), before it answers. <see cref="CatchUpAsync"/> is the read
/// barrier a joining member waits for, so it sees every commit acknowledged anywhere in the cluster before it joined.
/// </content>
internal sealed partial class GroupOffsetStore
{
    /// <summary>How long <see cref="CatchUpAsync"/> waits for this node's replica to reach the barrier.</summary>
    internal static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan CatchUpPoll = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Waits until this node's view of <paramref name="groupId"/>'s offsets includes every commit acknowledged (by any
    /// node) before the call. On a cluster node: appends a marker record (a group-metadata tombstone, which the store
    /// skips) to the group's offsets partition with <c>acks=1</c>, waits until this node's replica has it below its high
    /// watermark — then every earlier acknowledged commit is there too — and reads the replica forward. Completes at
    /// once on a standalone broker.
    /// </summary>
    /// <param name="groupId">The group.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the view is current.</returns>
    /// <exception cref="CommitLogException">This node holds no replica of the group's offsets partition (not retriable:
    /// its consumers cannot learn the group's offsets), or the marker was not appended (retriable).</exception>
    /// <exception cref="TimeoutException">This node's replica did not reach the marker within <see cref="CatchUpTimeout"/>.</exception>
    public async ValueTask CatchUpAsync(string groupId, CancellationToken cancellationToken)
    {
        if (_broker.ReplicatedOffsets is not { } cluster)
        {
            return;
        }

        int partitionCount = await _broker.EnsureOffsetsTopicAsync(cancellationToken).ConfigureAwait(false);
        var target = new TopicPartition(OffsetsTopic.Name, OffsetsTopic.PartitionFor(groupId, partitionCount));
        if (!cluster.HoldsReplica(target))
        {
            throw new CommitLogException(ErrorCode.NotLeaderOrFollower,
                $"Node {_broker.NodeId} holds no replica of {target}, where group '{groupId}' commits its offsets, so its consumers " +
                "cannot read the group's committed offsets; run the group's consumers on the nodes that hold that partition " +
                "(every node when the cluster has at most 3 nodes).");
        }

        using var builder = new RecordBatchBuilder();
        builder.Append(_broker.Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds(), OffsetRecordCodec.EncodeGroupMetadataKey(groupId), null);
        AppendResult marker = await _broker.AppendAsync(target, builder.Build(), Acks.Leader, cancellationToken).ConfigureAwait(false);
        long start = _broker.Options.TimeProvider.GetTimestamp();
        PartitionLog? log;
        while (!_broker.TryGetPartitionLog(target, out log) || log.HighWatermark <= marker.LastOffset)
        {
            if (_broker.Options.TimeProvider.GetElapsedTime(start) > CatchUpTimeout)
            {
                throw new TimeoutException(
                    $"Node {_broker.NodeId}: the replica of {target} did not reach offset {marker.LastOffset + 1} (the read barrier of group " +
                    $"'{groupId}') below its high watermark within {CatchUpTimeout.TotalSeconds} s (high watermark {log?.HighWatermark}, log end " +
                    $"{log?.LogEndOffset}); it may be out of sync.");
            }

            await Task.Delay(CatchUpPoll, _broker.Options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }

        ReadForward(target);
    }

    /// <summary>On a cluster node: reads the group's offsets partition forward to its high watermark.</summary>
    private void CatchUpGroupPartition(string groupId)
    {
        if (_broker.ReplicatedOffsets is not null && _broker.TryGetPartitionCount(OffsetsTopic.Name, out int count))
        {
            ReadForward(new TopicPartition(OffsetsTopic.Name, OffsetsTopic.PartitionFor(groupId, count)));
        }
    }

    /// <summary>On a cluster node: reads every offsets partition forward to its high watermark.</summary>
    private void CatchUpAllPartitions()
    {
        if (_broker.ReplicatedOffsets is not null && _broker.TryGetPartitionCount(OffsetsTopic.Name, out int count))
        {
            for (int p = 0; p < count; p++)
            {
                ReadForward(new TopicPartition(OffsetsTopic.Name, p));
            }
        }
    }

    /// <summary>The error of a commit the in-sync replicas did not acknowledge (too few in sync, no leader, a timeout).</summary>
    private static CommitFailedException NotReplicated(string groupId, CommitLogException error)
        => new(error.ErrorCode, groupId,
            $"Commit for group '{groupId}' was not acknowledged by the in-sync replicas of {OffsetsTopic.Name} ({error.ErrorCode}): " +
            $"{error.Message} " + (error.ErrorCode == ErrorCode.NotEnoughReplicas
                ? "Nothing was stored; retry the commit when enough replicas are in sync."
                : "It may or may not be stored; retry the commit."),
            error, error.IsRetriable);

    /// <summary>Applies the records of one offsets partition from where the last read stopped (its log start the first
    /// time) up to its high watermark (a standalone log's end), in log order; remembers where it stopped.</summary>
    /// <exception cref="CorruptRecordException">A record cannot be decoded.</exception>
    private void ReadForward(TopicPartition topicPartition)
    {
        lock (_readLock)
        {
            if (!_broker.TryGetPartitionLog(topicPartition, out PartitionLog? log))
            {
                return;
            }

            long offset = Math.Max(_readUpTo.GetValueOrDefault(topicPartition.Partition.Value), log.LogStartOffset);
            while (offset < log.HighWatermark)
            {
                using LogReadResult read = _broker.Read(topicPartition, offset, LoadChunkBytes);
                if (read.IsEmpty)
                {
                    break;
                }

                foreach (RecordBatch batch in RecordBatch.ReadAll(read.Records))
                {
                    foreach (Record record in batch.GetRecords())
                    {
                        ApplyLoaded(log, record);
                    }

                    offset = batch.Header.LastOffset + 1;
                }
            }

            _readUpTo[topicPartition.Partition.Value] = offset;
        }
    }
}

using CommitLog.Groups;

namespace CommitLog;

/// <content>Committed offsets: the store over the internal <c>__consumer_offsets</c> topic, created at the first commit
/// (on a cluster node: through the control plane, as a replicated topic).</content>
public sealed partial class Broker
{
    private readonly SemaphoreSlim _offsetsTopicGate = new(1, 1);

    /// <summary>Gets the committed offsets of every group.</summary>
    internal IGroupOffsets GroupOffsets => OffsetStore;

    /// <summary>Gets the store behind <see cref="GroupOffsets"/>, with its administrative operations. Created with the broker
    /// (after the coordinator, whose generation check it uses), so concurrent first commits share one store.</summary>
    internal GroupOffsetStore OffsetStore { get; }

    /// <summary>Gets the cluster node's view of the replicated offsets topic, or <see langword="null"/> on a standalone
    /// broker (and on a node that keeps <c>__consumer_offsets</c> local).</summary>
    internal IReplicatedOffsetsTopic? ReplicatedOffsets
        => _options.Replication is IReplicatedOffsetsTopic cluster && _options.Replication.IsReplicated(OffsetsTopic.Name) ? cluster : null;

    /// <summary>Returns the partition count of <c>__consumer_offsets</c>, creating the topic first if it does not exist:
    /// compacted, <see cref="BrokerOptions.OffsetsTopicPartitions"/> partitions, <see cref="BrokerOptions.OffsetsTopicFlushPolicy"/>.
    /// On a cluster node the topic is created through the control plane (see <see cref="IReplicatedOffsetsTopic"/>).</summary>
    internal async ValueTask<int> EnsureOffsetsTopicAsync(CancellationToken cancellationToken)
    {
        if (ReplicatedOffsets is { } cluster)
        {
            await cluster.EnsureOffsetsTopicAsync(_options.OffsetsTopicPartitions, cancellationToken).ConfigureAwait(false);
            return GetPartitionCount(OffsetsTopic.Name);
        }

        return TryGetPartitionCount(OffsetsTopic.Name, out int count)
            ? count
            : await CreateLocalOffsetsTopicAsync(_options.OffsetsTopicPartitions, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates this broker's copy of <c>__consumer_offsets</c> with <paramref name="partitions"/> partitions unless it
    /// exists (a cluster node calls this when the topic reaches it in the cluster metadata); returns its partition count.</summary>
    internal async ValueTask<int> CreateLocalOffsetsTopicAsync(int partitions, CancellationToken cancellationToken)
    {
        await _offsetsTopicGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!TryGetPartitionCount(OffsetsTopic.Name, out int count))
            {
                count = partitions;
                var config = new TopicConfig
                {
                    CleanupPolicy = CleanupPolicy.Compact,
                    SegmentBytes = OffsetsTopic.SegmentBytes,
                    FlushPolicy = _options.OffsetsTopicFlushPolicy,
                    // Kafka's internal topics take the broker's default max.message.bytes too (a cluster node checks it fits a frame).
                    MaxMessageBytes = _options.DefaultTopicConfig.MaxMessageBytes,
                };
                await CreateTopicAsync(OffsetsTopic.Name, count, config, cancellationToken, internalTopic: true).ConfigureAwait(false);
            }

            return count;
        }
        finally
        {
            _offsetsTopicGate.Release();
        }
    }

    /// <summary>Reads the committed offsets back after the topics are open.</summary>
    private void LoadGroupOffsets()
    {
        if (TryGetPartitionCount(OffsetsTopic.Name, out int count))
        {
            OffsetStore.Load(count);
        }
    }
}

using CommitLog.Groups;

namespace CommitLog;

/// <content>Committed offsets: the store over the internal <c>__consumer_offsets</c> topic, created at the first commit.</content>
public sealed partial class Broker
{
    private readonly SemaphoreSlim _offsetsTopicGate = new(1, 1);

    /// <summary>Gets the committed offsets of every group.</summary>
    internal IGroupOffsets GroupOffsets => OffsetStore;

    /// <summary>Gets the store behind <see cref="GroupOffsets"/>, with its administrative operations. Created with the broker
    /// (after the coordinator, whose generation check it uses), so concurrent first commits share one store.</summary>
    internal GroupOffsetStore OffsetStore { get; }

    /// <summary>Returns the partition count of <c>__consumer_offsets</c>, creating the topic first if it does not exist:
    /// compacted, <see cref="BrokerOptions.OffsetsTopicPartitions"/> partitions, <see cref="BrokerOptions.OffsetsTopicFlushPolicy"/>.</summary>
    internal async ValueTask<int> EnsureOffsetsTopicAsync(CancellationToken cancellationToken)
    {
        if (TryGetPartitionCount(OffsetsTopic.Name, out int count))
        {
            return count;
        }

        await _offsetsTopicGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!TryGetPartitionCount(OffsetsTopic.Name, out count))
            {
                count = _options.OffsetsTopicPartitions;
                var config = new TopicConfig
                {
                    CleanupPolicy = CleanupPolicy.Compact,
                    SegmentBytes = OffsetsTopic.SegmentBytes,
                    FlushPolicy = _options.OffsetsTopicFlushPolicy,
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

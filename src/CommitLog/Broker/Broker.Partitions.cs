using System.Diagnostics.CodeAnalysis;
using CommitLog.Storage;

namespace CommitLog;

/// <content>What the producer and consumer use: partition lookup, append and read by <see cref="TopicPartition"/>.</content>
public sealed partial class Broker
{
    /// <summary>Returns the open log of a partition. A config change may replace it with a reopened one; prefer
    /// <see cref="AppendAsync(TopicPartition, Memory{byte}, CancellationToken)"/> and <see cref="Read"/>, which follow such a swap.</summary>
    internal bool TryGetPartitionLog(TopicPartition topicPartition, [NotNullWhen(true)] out PartitionLog? log)
    {
        log = TryGetSlot(topicPartition)?.Log;
        return log is not null;
    }

    /// <summary>Returns the partition count of a topic, or false if the topic does not exist.</summary>
    internal bool TryGetPartitionCount(string topic, out int count)
    {
        ArgumentNullException.ThrowIfNull(topic);
        count = _topics.TryGetValue(topic, out TopicState? state) ? state.Partitions.Length : 0;
        return count > 0;
    }

    /// <summary>Returns the partition count of a topic.</summary>
    /// <exception cref="UnknownTopicOrPartitionException">The topic does not exist.</exception>
    internal int GetPartitionCount(string topic)
        => TryGetPartitionCount(topic, out int count)
            ? count
            : throw new UnknownTopicOrPartitionException(topic, null, $"Topic '{topic}' does not exist.");

    /// <summary>
    /// Returns the partition count of a topic for a producer. On a cluster node a topic created on another node
    /// reaches this one a moment later, so an unknown topic is waited for up to <paramref name="maxBlock"/>
    /// (<c>max.block.ms</c>, as Kafka's producer waits for metadata); a standalone broker answers at once.
    /// </summary>
    /// <exception cref="UnknownTopicOrPartitionException">The topic does not exist (on a cluster node: not within <paramref name="maxBlock"/>).</exception>
    internal int GetPartitionCount(string topic, TimeSpan maxBlock)
    {
        if (TryGetPartitionCount(topic, out int count))
        {
            return count;
        }

        IPartitionReplication? replication = _options.Replication;
        if (replication is null || !replication.IsReplicated(topic))
        {
            return GetPartitionCount(topic);
        }

        return replication.WaitForTopic(topic, maxBlock) && TryGetPartitionCount(topic, out count)
            ? count
            : throw new UnknownTopicOrPartitionException(topic, null,
                $"Topic '{topic}' is not in this cluster node's metadata after waiting max.block.ms ({maxBlock.TotalMilliseconds} ms): " +
                "create it first (ClusterNode.CreateTopicAsync on any node).");
    }

    /// <summary>Returns the settings of a topic (e.g. its <c>compression.type</c>).</summary>
    /// <exception cref="UnknownTopicOrPartitionException">The topic does not exist.</exception>
    internal TopicConfig GetTopicConfig(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return _topics.TryGetValue(topic, out TopicState? state)
            ? state.Config
            : throw new UnknownTopicOrPartitionException(topic, null, $"Topic '{topic}' does not exist.");
    }

    /// <summary>
    /// Appends a producer's batches: to the local log, or, for a replicated topic on a cluster node, through the node
    /// (to the partition's leader, completing as <paramref name="acks"/> asks).
    /// </summary>
    /// <exception cref="UnknownTopicOrPartitionException">The topic or partition does not exist.</exception>
    internal ValueTask<AppendResult> AppendAsync(
        TopicPartition topicPartition, Memory<byte> batches, Acks acks, CancellationToken cancellationToken)
        => _options.Replication is { } replication && topicPartition.Topic is { } topic && replication.IsReplicated(topic)
            ? replication.AppendAsync(topicPartition, batches, acks, cancellationToken)
            : AppendAsync(topicPartition, batches, cancellationToken);

    /// <summary>Appends encoded batches to the local partition log; see <see cref="PartitionLog.AppendAsync"/>.</summary>
    /// <exception cref="UnknownTopicOrPartitionException">The topic or partition does not exist.</exception>
    internal async ValueTask<AppendResult> AppendAsync(
        TopicPartition topicPartition, Memory<byte> batches, CancellationToken cancellationToken = default)
    {
        PartitionSlot slot = GetSlot(topicPartition);
        while (true)
        {
            PartitionLog log = slot.Log;
            try
            {
                // A disposed log refuses the append before writing anything, so the retry cannot duplicate records.
                return await log.AppendAsync(batches, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException) when (Volatile.Read(ref _disposed) == 0)
            {
                if (!await slot.WaitForReplacementAsync(log, cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }
            }
        }
    }

    /// <summary>Reads whole batches of a partition from <paramref name="offset"/>; see <see cref="PartitionLog.Read(long, int)"/>.</summary>
    /// <exception cref="UnknownTopicOrPartitionException">The topic or partition does not exist.</exception>
    internal LogReadResult Read(TopicPartition topicPartition, long offset, int maxBytes)
    {
        PartitionSlot slot = GetSlot(topicPartition);
        while (true)
        {
            PartitionLog log = slot.Log;
            try
            {
                return log.Read(offset, maxBytes);
            }
            catch (ObjectDisposedException) when (Volatile.Read(ref _disposed) == 0 && !ReferenceEquals(slot.Log, log))
            {
            }
        }
    }

    /// <summary>Reads a partition, waiting up to <paramref name="maxWait"/> for <paramref name="minBytes"/>; see
    /// <see cref="PartitionLog.ReadAsync(long, int, int, TimeSpan, CancellationToken)"/>.</summary>
    /// <exception cref="UnknownTopicOrPartitionException">The topic or partition does not exist.</exception>
    internal async ValueTask<LogReadResult> ReadAsync(
        TopicPartition topicPartition, long offset, int maxBytes, int minBytes, TimeSpan maxWait, CancellationToken cancellationToken = default)
    {
        PartitionSlot slot = GetSlot(topicPartition);
        while (true)
        {
            PartitionLog log = slot.Log;
            try
            {
                return await log.ReadAsync(offset, maxBytes, minBytes, maxWait, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException) when (Volatile.Read(ref _disposed) == 0)
            {
                if (!await slot.WaitForReplacementAsync(log, cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }
            }
        }
    }

    private PartitionSlot? TryGetSlot(TopicPartition topicPartition)
    {
        if (topicPartition.Topic is null || !_topics.TryGetValue(topicPartition.Topic, out TopicState? state))
        {
            return null;
        }

        PartitionSlot[] partitions = state.Partitions;
        int p = topicPartition.Partition.Value;
        return p >= 0 && p < partitions.Length ? partitions[p] : null;
    }

    private PartitionSlot GetSlot(TopicPartition topicPartition)
    {
        ThrowIfDisposed();
        if (TryGetSlot(topicPartition) is { } slot)
        {
            return slot;
        }

        string topic = topicPartition.Topic ?? "";
        return TryGetPartitionCount(topic, out int count)
            ? throw new UnknownTopicOrPartitionException(topic, topicPartition.Partition.Value,
                $"Topic '{topic}' has no partition {topicPartition.Partition.Value}; its partitions are 0 to {count - 1}.")
            : throw new UnknownTopicOrPartitionException(topic, topicPartition.Partition.Value, $"Topic '{topic}' does not exist.");
    }
}

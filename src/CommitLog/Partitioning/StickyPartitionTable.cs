using System.Collections.Concurrent;

namespace CommitLog;

/// <summary>
/// Uniform sticky partitioning (KIP-794): per topic, records without a key stay on one partition until at least
/// <c>batch.size</c> bytes were appended to it, then move to a randomly chosen different partition. Sticking fills
/// batches faster than spreading every record, which lowers latency and request count.
/// </summary>
/// <remarks>Thread-safe. Reads of the current partition take no lock; switching takes a per-topic lock.</remarks>
internal sealed class StickyPartitionTable
{
    private const int None = -1;

    private readonly ConcurrentDictionary<string, TopicState> _topics = new(StringComparer.Ordinal);
    private readonly int _batchSize;
    private readonly PartitionRandom _random;

    public StickyPartitionTable(int batchSize, PartitionRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        _batchSize = batchSize;
        _random = random;
    }

    /// <summary>Returns the topic's current sticky partition, choosing a new one when there is none or it is out of range.</summary>
    public int Partition(string topic, int partitionCount)
    {
        TopicState state = _topics.GetOrAdd(topic, static _ => new TopicState());
        int current = Volatile.Read(ref state.Partition);
        if ((uint)current < (uint)partitionCount)
        {
            return current;
        }

        lock (state.Gate)
        {
            current = state.Partition;
            if ((uint)current >= (uint)partitionCount)
            {
                current = Choose(state.Previous, partitionCount);
                state.Bytes = 0;
                Volatile.Write(ref state.Partition, current);
            }

            return current;
        }
    }

    /// <summary>Counts bytes appended to a partition; once the sticky partition got a batch's worth, the next record moves on.</summary>
    public void OnAppended(string topic, int partition, int bytes)
    {
        if (!_topics.TryGetValue(topic, out TopicState? state) || Volatile.Read(ref state.Partition) != partition)
        {
            return;
        }

        if (Interlocked.Add(ref state.Bytes, bytes) < _batchSize)
        {
            return;
        }

        lock (state.Gate)
        {
            if (state.Partition == partition && state.Bytes >= _batchSize)
            {
                state.Previous = partition;
                Volatile.Write(ref state.Partition, None);
            }
        }
    }

    private int Choose(int previous, int partitionCount)
    {
        if (partitionCount == 1)
        {
            return 0;
        }

        if ((uint)previous >= (uint)partitionCount)
        {
            return _random.Next(partitionCount);
        }

        // Uniform over the other partitions, so a switch always spreads the load.
        int next = _random.Next(partitionCount - 1);
        return next >= previous ? next + 1 : next;
    }

    private sealed class TopicState
    {
        public readonly Lock Gate = new();
        public int Partition = None;
        public int Previous = None;
        public long Bytes;
    }
}

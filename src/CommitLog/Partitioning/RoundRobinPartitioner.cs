using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace CommitLog;

/// <summary><c>round_robin</c>: each topic's partitions in turn, keys ignored (Kafka's <c>RoundRobinPartitioner</c>).</summary>
internal sealed class RoundRobinPartitioner : IPartitioner
{
    private readonly ConcurrentDictionary<string, StrongBox<int>> _counters = new(StringComparer.Ordinal);

    public int Partition(string topic, ReadOnlySpan<byte> keyData, bool keyIsNull, int partitionCount)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitionCount);
        StrongBox<int> counter = _counters.GetOrAdd(topic, static _ => new StrongBox<int>(-1));
        uint next = (uint)Interlocked.Increment(ref counter.Value);
        return (int)(next % (uint)partitionCount);
    }

    public override string ToString() => Partitioners.GetName(PartitionerKind.RoundRobin);
}

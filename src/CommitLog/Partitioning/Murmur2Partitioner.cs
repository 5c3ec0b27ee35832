namespace CommitLog;

/// <summary>
/// <c>murmur2</c> and <c>murmur2_random</c>: Kafka's Java partitioning, <c>(murmur2(key) &amp; 0x7fffffff) % n</c>.
/// Empty keys are hashed; records without a key are sticky.
/// </summary>
internal sealed class Murmur2Partitioner(PartitionerKind kind, StickyPartitionTable sticky) : BuiltInPartitioner(kind, sticky)
{
    protected override int PartitionByKey(string topic, ReadOnlySpan<byte> keyData, int partitionCount) =>
        KeyHash.Murmur2Partition(keyData, partitionCount);
}

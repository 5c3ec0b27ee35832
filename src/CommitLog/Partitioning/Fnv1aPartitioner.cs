namespace CommitLog;

/// <summary>
/// <c>fnv1a</c> and <c>fnv1a_random</c>: librdkafka's <c>rd_fnv1a(key) % n</c>. Empty keys are hashed; records
/// without a key are sticky.
/// </summary>
internal sealed class Fnv1aPartitioner(PartitionerKind kind, StickyPartitionTable sticky) : BuiltInPartitioner(kind, sticky)
{
    protected override int PartitionByKey(string topic, ReadOnlySpan<byte> keyData, int partitionCount) =>
        (int)(KeyHash.Fnv1a(keyData) % (uint)partitionCount);
}

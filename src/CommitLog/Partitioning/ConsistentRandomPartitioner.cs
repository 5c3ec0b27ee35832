namespace CommitLog;

/// <summary><c>consistent_random</c>: librdkafka's <c>crc32(key) % n</c>; null and empty keys are sticky, as in librdkafka.</summary>
internal sealed class ConsistentRandomPartitioner(StickyPartitionTable sticky)
    : BuiltInPartitioner(PartitionerKind.ConsistentRandom, sticky)
{
    protected override bool IsSticky(ReadOnlySpan<byte> keyData, bool keyIsNull) => keyIsNull || keyData.IsEmpty;

    protected override int PartitionByKey(string topic, ReadOnlySpan<byte> keyData, int partitionCount) =>
        (int)(KeyHash.Crc32(keyData) % (uint)partitionCount);
}

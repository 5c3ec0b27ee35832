namespace CommitLog;

/// <summary>
/// <c>consistent</c>: librdkafka's <c>crc32(key) % n</c>. Null and empty keys are hashed as empty (CRC 0), so they
/// all go to partition 0, as librdkafka documents.
/// </summary>
internal sealed class ConsistentPartitioner(StickyPartitionTable sticky) : BuiltInPartitioner(PartitionerKind.Consistent, sticky)
{
    protected override bool IsSticky(ReadOnlySpan<byte> keyData, bool keyIsNull) => false;

    protected override int PartitionByKey(string topic, ReadOnlySpan<byte> keyData, int partitionCount) =>
        (int)(KeyHash.Crc32(keyData) % (uint)partitionCount);
}

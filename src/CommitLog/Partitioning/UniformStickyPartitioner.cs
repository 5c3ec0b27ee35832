namespace CommitLog;

/// <summary><c>uniform_sticky</c>: every record goes to the topic's sticky partition, whatever its key (KIP-794 with keys
/// ignored).</summary>
internal sealed class UniformStickyPartitioner(StickyPartitionTable sticky) : BuiltInPartitioner(PartitionerKind.UniformSticky, sticky)
{
    protected override bool IsSticky(ReadOnlySpan<byte> keyData, bool keyIsNull) => true;

    protected override int PartitionByKey(string topic, ReadOnlySpan<byte> keyData, int partitionCount) =>
        throw new InvalidOperationException("Unreachable: every record is sticky.");
}

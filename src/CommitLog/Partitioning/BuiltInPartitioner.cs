namespace CommitLog;

/// <summary>
/// The shared shape of the built-in partitioners: records whose key the partitioner does not hash go to the
/// topic's sticky partition (<see cref="StickyPartitionTable"/>); the others are placed by <see cref="PartitionByKey"/>.
/// </summary>
internal abstract class BuiltInPartitioner : IPartitioner, IPartitionerFeedback
{
    private readonly StickyPartitionTable _sticky;

    protected BuiltInPartitioner(PartitionerKind kind, StickyPartitionTable sticky)
    {
        Kind = kind;
        _sticky = sticky;
    }

    /// <summary>Gets which built-in this is.</summary>
    public PartitionerKind Kind { get; }

    public int Partition(string topic, ReadOnlySpan<byte> keyData, bool keyIsNull, int partitionCount)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitionCount);
        return IsSticky(keyData, keyIsNull)
            ? _sticky.Partition(topic, partitionCount)
            : PartitionByKey(topic, keyData, partitionCount);
    }

    public void OnAppended(string topic, int partition, int bytes) => _sticky.OnAppended(topic, partition, bytes);

    public override string ToString() => Partitioners.GetName(Kind);

    /// <summary>Returns whether the record goes to the sticky partition instead of <see cref="PartitionByKey"/>.</summary>
    protected virtual bool IsSticky(ReadOnlySpan<byte> keyData, bool keyIsNull) => keyIsNull;

    /// <summary>Places a record by its key.</summary>
    protected abstract int PartitionByKey(string topic, ReadOnlySpan<byte> keyData, int partitionCount);
}

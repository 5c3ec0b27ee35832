namespace CommitLog.Replication.Control;

/// <summary>Marks a fenced node alive again; offline partitions whose ISR holds it get it as leader.</summary>
/// <param name="NodeId">The node id.</param>
public sealed record UnfenceBroker(int NodeId) : MetadataCommand
{
    internal const byte Code = 3;

    /// <inheritdoc/>
    private protected override byte TypeCode => Code;

    private protected override void EncodeFields(ref MetadataWriter output) => output.WriteInt32(NodeId);
}

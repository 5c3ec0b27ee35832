namespace CommitLog.Replication.Control;

/// <summary>Marks a node dead: it leads nothing and leaves every ISR (an ISR never becomes empty).</summary>
/// <param name="NodeId">The node id.</param>
public sealed record FenceBroker(int NodeId) : MetadataCommand
{
    internal const byte Code = 2;

    /// <inheritdoc/>
    private protected override byte TypeCode => Code;

    private protected override void EncodeFields(ref MetadataWriter output) => output.WriteInt32(NodeId);
}

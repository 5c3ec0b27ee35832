namespace CommitLog.Replication.Control;

/// <summary>Adds a node to the cluster (or updates its address), unfenced.</summary>
/// <param name="NodeId">The node id (non-negative).</param>
/// <param name="Address">The address of its replication listener.</param>
public sealed record RegisterBroker(int NodeId, string Address) : MetadataCommand
{
    internal const byte Code = 1;

    /// <inheritdoc/>
    private protected override byte TypeCode => Code;

    internal static RegisterBroker DecodeFields(ref MetadataReader input)
    {
        var nodeId = input.ReadInt32();
        return new RegisterBroker(nodeId, input.ReadString());
    }

    private protected override void EncodeFields(ref MetadataWriter output)
    {
        output.WriteInt32(NodeId);
        output.WriteString(Address);
    }
}

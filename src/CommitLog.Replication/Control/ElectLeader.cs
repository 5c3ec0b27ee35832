namespace CommitLog.Replication.Control;

/// <summary>Makes a replica the partition's leader (an explicit promotion).</summary>
/// <param name="TopicPartition">The partition.</param>
/// <param name="NodeId">The replica to promote; must be unfenced, and in the ISR unless <paramref name="AllowUnclean"/>.</param>
/// <param name="AllowUnclean">Whether a replica outside the ISR may be promoted (records only the old ISR had are lost).</param>
public sealed record ElectLeader(TopicPartition TopicPartition, int NodeId, bool AllowUnclean) : MetadataCommand
{
    internal const byte Code = 6;

    /// <inheritdoc/>
    private protected override byte TypeCode => Code;

    internal static ElectLeader DecodeFields(ref MetadataReader input)
    {
        var topic = input.ReadString();
        var partition = input.ReadInt32();
        var nodeId = input.ReadInt32();
        return new ElectLeader(new TopicPartition(topic, partition), nodeId, input.ReadBool());
    }

    private protected override void EncodeFields(ref MetadataWriter output)
    {
        output.WriteString(TopicPartition.Topic);
        output.WriteInt32(TopicPartition.Partition);
        output.WriteInt32(NodeId);
        output.WriteBool(AllowUnclean);
    }
}

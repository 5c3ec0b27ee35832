namespace CommitLog.Replication.Control;

/// <summary>A leader's request to change a partition's ISR (Kafka's AlterPartition), fenced by both epochs.</summary>
/// <param name="TopicPartition">The partition.</param>
/// <param name="LeaderEpoch">The leader epoch the requester leads in.</param>
/// <param name="PartitionEpoch">The partition epoch the requester's view is based on.</param>
/// <param name="Isr">The proposed ISR; must contain the leader.</param>
public sealed record AlterIsr(TopicPartition TopicPartition, int LeaderEpoch, int PartitionEpoch, IReadOnlyList<int> Isr) : MetadataCommand
{
    internal const byte Code = 5;

    /// <inheritdoc/>
    private protected override byte TypeCode => Code;

    internal static AlterIsr DecodeFields(ref MetadataReader input)
    {
        var topic = input.ReadString();
        var partition = input.ReadInt32();
        var leaderEpoch = input.ReadInt32();
        var partitionEpoch = input.ReadInt32();
        return new AlterIsr(new TopicPartition(topic, partition), leaderEpoch, partitionEpoch, input.ReadIds());
    }

    private protected override void EncodeFields(ref MetadataWriter output)
    {
        output.WriteString(TopicPartition.Topic);
        output.WriteInt32(TopicPartition.Partition);
        output.WriteInt32(LeaderEpoch);
        output.WriteInt32(PartitionEpoch);
        output.WriteIds(Isr);
    }
}

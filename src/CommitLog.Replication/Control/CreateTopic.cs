namespace CommitLog.Replication.Control;

/// <summary>Creates a replicated topic with the given replicas per partition (see <see cref="ClusterMetadataState.AssignReplicas"/>).</summary>
/// <param name="Topic">The topic's settings.</param>
/// <param name="Assignment">For each partition, its replicas' node ids; the first leads.</param>
public sealed record CreateTopic(ReplicatedTopic Topic, IReadOnlyList<IReadOnlyList<int>> Assignment) : MetadataCommand
{
    internal const byte Code = 4;

    /// <inheritdoc/>
    private protected override byte TypeCode => Code;

    internal static CreateTopic DecodeFields(ref MetadataReader input)
    {
        var name = input.ReadString();
        var partitions = input.ReadInt32();
        var replicationFactor = input.ReadInt32();
        var minInsync = input.ReadInt32();
        var unclean = input.ReadBool();
        var count = input.ReadInt32();
        if (count < 0 || count > ClusterMetadataState.MaxPartitions)
        {
            throw new FormatException($"A topic claims {count} partitions; allowed are 0 to {ClusterMetadataState.MaxPartitions}.");
        }

        var assignment = new IReadOnlyList<int>[count];
        for (var i = 0; i < count; i++)
        {
            assignment[i] = input.ReadIds();
        }

        return new CreateTopic(new ReplicatedTopic(name, partitions, replicationFactor, minInsync, unclean), assignment);
    }

    private protected override void EncodeFields(ref MetadataWriter output)
    {
        output.WriteString(Topic.Name);
        output.WriteInt32(Topic.PartitionCount);
        output.WriteInt32(Topic.ReplicationFactor);
        output.WriteInt32(Topic.MinInsyncReplicas);
        output.WriteBool(Topic.UncleanLeaderElection);
        output.WriteInt32(Assignment.Count);
        foreach (var replicas in Assignment)
        {
            output.WriteIds(replicas);
        }
    }
}

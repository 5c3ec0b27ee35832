namespace CommitLog;

/// <summary>A consumer group as <see cref="BrokerAdmin.DescribeConsumerGroupAsync"/> sees it: its state, members and, per
/// partition, committed offset, log end offset and lag.</summary>
/// <param name="GroupId">The group id.</param>
/// <param name="State">The group's state.</param>
/// <param name="PartitionAssignor">The assignment strategy in use (e.g. <c>range</c>), or empty without members.</param>
/// <param name="CoordinatorNodeId">The node id of the broker that coordinates the group.</param>
/// <param name="Members">The active members.</param>
/// <param name="Partitions">The partitions with a committed offset or an owner, ordered by topic and partition.</param>
public sealed record ConsumerGroupDescription(
    string GroupId,
    ConsumerGroupState State,
    string PartitionAssignor,
    int CoordinatorNodeId,
    IReadOnlyList<GroupMemberDescription> Members,
    IReadOnlyList<GroupPartitionLag> Partitions)
{
    /// <summary>Gets the largest lag over the partitions with a committed offset (0 when none has one).</summary>
    public long MaxLag => Partitions.Max(p => p.Lag) ?? 0;

    /// <summary>Gets the total lag over the partitions with a committed offset.</summary>
    public long TotalLag => Partitions.Sum(p => p.Lag ?? 0);
}

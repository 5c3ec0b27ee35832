using CommitLog.Replication.Control;

namespace CommitLog.Replication.Tests.Control;

/// <summary>The control plane's state machine: Kafka's election and ISR rules, epochs and rejections.</summary>
public sealed class ClusterMetadataStateTests
{
    private static readonly TopicPartition P0 = new("orders", 0);

    internal static ClusterMetadata Apply(ClusterMetadata metadata, params MetadataCommand[] commands)
    {
        foreach (var command in commands)
        {
            var change = ClusterMetadataState.Apply(metadata, command);
            Assert.True(change.Accepted, change.RejectReason);
            metadata = change.Metadata;
        }

        return metadata;
    }

    internal static ClusterMetadata ThreeNodesWithTopic(bool unclean = false, int partitions = 1)
    {
        var metadata = Apply(ClusterMetadata.Empty, new RegisterBroker(1, "a:1"), new RegisterBroker(2, "b:2"), new RegisterBroker(3, "c:3"));
        var topic = new ReplicatedTopic("orders", partitions, 3, 2, unclean);
        return Apply(metadata, new CreateTopic(topic, ClusterMetadataState.AssignReplicas(metadata, partitions, 3)));
    }

    [Fact]
    public void CreateTopic_ThreeNodes_FirstReplicaLeadsAllInSyncEpochZero()
    {
        var metadata = ThreeNodesWithTopic(partitions: 3);

        Assert.Equal(4, metadata.Version);
        Assert.Equal([1, 2, 3], metadata.Partitions[P0].Replicas);
        Assert.Equal([2, 3, 1], metadata.Partitions[new TopicPartition("orders", 1)].Replicas);
        Assert.Equal(3, metadata.Partitions[new TopicPartition("orders", 2)].Leader);
        Assert.Equal(1, metadata.Partitions[P0].Leader);
        Assert.Equal([1, 2, 3], metadata.Partitions[P0].Isr);
        Assert.Equal(0, metadata.Partitions[P0].LeaderEpoch);
    }

    [Fact]
    public void FenceBroker_Leader_NextInSyncReplicaLeadsWithHigherEpochs()
    {
        var change = ClusterMetadataState.Apply(ThreeNodesWithTopic(), new FenceBroker(1));

        var state = change.Metadata.Partitions[P0];
        Assert.Equal(2, state.Leader);
        Assert.Equal([2, 3], state.Isr);
        Assert.Equal(1, state.LeaderEpoch);
        Assert.Equal(1, state.PartitionEpoch);
        Assert.Equal([new LeaderElection(P0, 1, 2, 1, false)], change.Elections);
    }

    [Fact]
    public void FenceBroker_LastInSyncReplica_OfflineUntilItReturns()
    {
        var metadata = ThreeNodesWithTopic();
        metadata = Apply(metadata, new AlterIsr(P0, 0, 0, [1]), new FenceBroker(1));

        Assert.Equal(PartitionState.NoLeader, metadata.Partitions[P0].Leader);
        Assert.Equal([1], metadata.Partitions[P0].Isr);

        metadata = Apply(metadata, new UnfenceBroker(1));
        Assert.Equal(1, metadata.Partitions[P0].Leader);
        Assert.Equal(2, metadata.Partitions[P0].LeaderEpoch);
    }

    [Fact]
    public void FenceBroker_LastInSyncReplicaWithUncleanElection_OutOfSyncReplicaLeadsReportedUnclean()
    {
        var metadata = Apply(ThreeNodesWithTopic(unclean: true), new AlterIsr(P0, 0, 0, [1]));
        var change = ClusterMetadataState.Apply(metadata, new FenceBroker(1));

        Assert.Equal(2, change.Metadata.Partitions[P0].Leader);
        Assert.Equal([2], change.Metadata.Partitions[P0].Isr);
        Assert.True(Assert.Single(change.Elections).Unclean);
    }

    [Fact]
    public void FenceBroker_Follower_LeavesIsrLeaderKeeps()
    {
        var metadata = Apply(ThreeNodesWithTopic(), new FenceBroker(3));

        Assert.Equal(1, metadata.Partitions[P0].Leader);
        Assert.Equal([1, 2], metadata.Partitions[P0].Isr);
        Assert.Equal(0, metadata.Partitions[P0].LeaderEpoch);
        Assert.Equal(1, metadata.Partitions[P0].PartitionEpoch);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(0, 1)]
    public void AlterIsr_StaleEpoch_RejectedUnchanged(int leaderEpoch, int partitionEpoch)
    {
        var metadata = ThreeNodesWithTopic();
        var change = ClusterMetadataState.Apply(metadata, new AlterIsr(P0, leaderEpoch, partitionEpoch, [1, 2]));

        Assert.False(change.Accepted);
        Assert.Contains("current ones are 0 and 0", change.RejectReason, StringComparison.Ordinal);
        Assert.Same(metadata, change.Metadata);
    }

    [Fact]
    public void AlterIsr_WithoutLeaderOrWithFencedOrForeignNode_Rejected()
    {
        var metadata = Apply(ThreeNodesWithTopic(), new RegisterBroker(4, "d:4"), new FenceBroker(3));

        Assert.False(ClusterMetadataState.Apply(metadata, new AlterIsr(P0, 0, 1, [2])).Accepted);
        Assert.False(ClusterMetadataState.Apply(metadata, new AlterIsr(P0, 0, 1, [1, 3])).Accepted);
        Assert.False(ClusterMetadataState.Apply(metadata, new AlterIsr(P0, 0, 1, [1, 4])).Accepted);
        Assert.False(ClusterMetadataState.Apply(metadata, new AlterIsr(P0, 0, 1, [1, 1])).Accepted);
        Assert.True(ClusterMetadataState.Apply(metadata, new AlterIsr(P0, 0, 1, [1])).Accepted);
    }

    [Fact]
    public void ElectLeader_OutOfSyncReplica_RefusedUnlessUncleanAllowed()
    {
        var metadata = Apply(ThreeNodesWithTopic(), new AlterIsr(P0, 0, 0, [1, 2]));

        var refused = ClusterMetadataState.Apply(metadata, new ElectLeader(P0, 3, AllowUnclean: false));
        Assert.False(refused.Accepted);
        Assert.Contains("not in the ISR", refused.RejectReason, StringComparison.Ordinal);

        var forced = ClusterMetadataState.Apply(metadata, new ElectLeader(P0, 3, AllowUnclean: true));
        Assert.Equal(3, forced.Metadata.Partitions[P0].Leader);
        Assert.Equal([3], forced.Metadata.Partitions[P0].Isr);
        Assert.True(Assert.Single(forced.Elections).Unclean);
    }

    [Fact]
    public void ElectLeader_InSyncReplica_LeadsWithNextEpoch()
    {
        var metadata = Apply(ThreeNodesWithTopic(), new ElectLeader(P0, 2, AllowUnclean: false));

        Assert.Equal(2, metadata.Partitions[P0].Leader);
        Assert.Equal(1, metadata.Partitions[P0].LeaderEpoch);
        Assert.Contains(2, metadata.Partitions[P0].Isr);
    }

    [Fact]
    public void CreateTopic_Invalid_RejectedWithReason()
    {
        var metadata = ThreeNodesWithTopic();

        Assert.Contains("already exists", ClusterMetadataState.Apply(metadata, new CreateTopic(new ReplicatedTopic("orders", 1, 3, 2, false), [[1, 2, 3]])).RejectReason, StringComparison.Ordinal);
        Assert.Contains("distinct registered", ClusterMetadataState.Apply(metadata, new CreateTopic(new ReplicatedTopic("x", 1, 3, 2, false), [[1, 2, 9]])).RejectReason, StringComparison.Ordinal);
        Assert.Contains("min.insync.replicas", ClusterMetadataState.Apply(metadata, new CreateTopic(new ReplicatedTopic("x", 1, 3, 4, false), [[1, 2, 3]])).RejectReason, StringComparison.Ordinal);
        Assert.Contains("replica lists", ClusterMetadataState.Apply(metadata, new CreateTopic(new ReplicatedTopic("x", 2, 3, 2, false), [[1, 2, 3]])).RejectReason, StringComparison.Ordinal);
    }

    [Fact]
    public void AssignReplicas_TooFewLiveNodes_ThrowsNamingThem()
    {
        var metadata = Apply(ThreeNodesWithTopic(), new FenceBroker(2));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ClusterMetadataState.AssignReplicas(metadata, 1, 3));
        Assert.Contains("2 live registered nodes (1, 3)", error.Message, StringComparison.Ordinal);
    }
}

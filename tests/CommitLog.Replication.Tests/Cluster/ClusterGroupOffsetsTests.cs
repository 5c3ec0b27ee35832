using CommitLog.Groups;
using CommitLog.Replication.Control;
using CommitLog.Storage;

namespace CommitLog.Replication.Tests.Cluster;

/// <summary>Committed offsets on a three-node cluster: <c>__consumer_offsets</c> is replicated with acks=all, so a group
/// resumes on another node exactly at its last acknowledged commit after the committing node is gone.</summary>
public sealed class ClusterGroupOffsetsTests
{
    private const string Group = "billing";
    private static readonly TopicPartition Orders0 = GroupTestKit.Orders0;
    private static readonly TopicPartition Orders1 = GroupTestKit.Orders1;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Commit_CommittingNodeStopped_MemberOnAnotherNodeStartsExactlyAtCommittedOffsets()
    {
        await using var cluster = await TestCluster.StartAsync(3, tcp: false, Ct);
        await GroupTestKit.CreateOrdersAsync(cluster);
        // Commit on the node that leads the group's offsets partition, so stopping it moves that leadership too.
        var offsetsPartition = await GroupTestKit.OffsetsPartitionAsync(cluster, Group);
        var committer = (await cluster.Node(0).WaitForLeaderAsync(offsetsPartition, Ct)).Leader;
        await using (var member = Consumer(cluster, committer))
        {
            member.Subscribe("orders");
            await ConsumeUntilAsync(member, seen => seen.Count == 2);
            member.Commit([new TopicPartitionOffset(Orders0, new Offset(17)), new TopicPartitionOffset(Orders1, new Offset(29))]);
            member.Commit([new TopicPartitionOffset(Orders0, new Offset(23)), new TopicPartitionOffset(Orders1, new Offset(31))]);
        }

        await cluster.StopNodeAsync(committer);
        var survivor = (committer + 1) % 3;
        await cluster.Node(survivor).WaitForMetadataAsync(
            m => m.Partitions[offsetsPartition].Leader is var l && l != committer && l != PartitionState.NoLeader, Ct);
        await using var successor = Consumer(cluster, survivor);
        successor.Subscribe("orders");
        var first = await ConsumeUntilAsync(successor, seen => seen.Count == 2);
        Assert.Equal(23, first[Orders0]);
        Assert.Equal(31, first[Orders1]);
        var committed = successor.Committed([Orders0, Orders1], TimeSpan.FromSeconds(5)).ToDictionary(o => o.TopicPartition, o => o.Offset.Value);
        Assert.Equal(23, committed[Orders0]);
        Assert.Equal(31, committed[Orders1]);
    }

    [Fact]
    public async Task Commit_TooFewInSyncReplicas_FailsRetriableAndStoresNothing()
    {
        await using var cluster = await TestCluster.StartAsync(3, tcp: false, Ct);
        await GroupTestKit.CreateOrdersAsync(cluster);
        var offsetsPartition = await GroupTestKit.OffsetsPartitionAsync(cluster, Group);
        var node = cluster.Node(0);
        Assert.Equal(2, node.Metadata.Topics[OffsetsTopic.Name].MinInsyncReplicas);
        Assert.Equal(3, node.Metadata.Topics[OffsetsTopic.Name].ReplicationFactor);
        await using var member = Consumer(cluster, 0);
        member.Assign([Orders0]);
        member.Commit([new TopicPartitionOffset(Orders0, new Offset(5))]);

        await cluster.StopNodeAsync(1);
        await cluster.StopNodeAsync(2);
        await node.WaitForMetadataAsync(m => m.Partitions[offsetsPartition].Isr.Count == 1 && m.Partitions[offsetsPartition].Leader == 0, Ct);
        Assert.True(node.Broker.TryGetPartitionLog(offsetsPartition, out var log));
        var endBefore = log.LogEndOffset;
        var error = Assert.Throws<CommitFailedException>(() => member.Commit([new TopicPartitionOffset(Orders0, new Offset(9))]));
        Assert.Equal(ErrorCode.NotEnoughReplicas, error.ErrorCode);
        Assert.True(error.IsRetriable);
        Assert.Contains("NotEnoughReplicas", error.Message, StringComparison.Ordinal);
        Assert.Equal(endBefore, log.LogEndOffset);
        Assert.Equal(5, node.Broker.GroupOffsets.Fetch(Group)[Orders0].Offset);
    }

    /// <summary>
    /// Stopping the offsets leader first leaves the reopened node leading with its last follower, which then stops
    /// moments later: the leader is left alone in its ISR and must still acknowledge the barrier (a follower's late
    /// fetch once held its high watermark one below its log end for good). Stopping the leader last elects the
    /// reopened node alone.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Commit_NodeReopened_ItsReplicaServesTheCommitsAfterTheOthersStop(bool leaderFirst)
    {
        await using var cluster = await TestCluster.StartAsync(3, tcp: false, Ct);
        await GroupTestKit.CreateOrdersAsync(cluster);
        var offsetsPartition = await GroupTestKit.OffsetsPartitionAsync(cluster, Group);
        var leader = cluster.Authority.Current.Partitions[offsetsPartition].Leader;
        var reopened = (leader + 1) % 3;
        var other = (leader + 2) % 3;
        await using (var member = Consumer(cluster, leader))
        {
            member.Assign([Orders0, Orders1]);
            member.Commit([new TopicPartitionOffset(Orders0, new Offset(11)), new TopicPartitionOffset(Orders1, new Offset(13))]);
        }

        await cluster.WaitForReplicasInSyncAsync(offsetsPartition, TimeSpan.FromSeconds(10), Ct);
        await cluster.StopNodeAsync(reopened);
        await cluster.StartNodeAsync(reopened, Ct);
        Assert.Equal(11, cluster.Node(reopened).Broker.OffsetStore.Fetch(Group)[Orders0].Offset); // read back at open
        await cluster.Authority.WaitForAsync(m => m.Partitions[offsetsPartition].Isr.Count == 3, TimeSpan.FromSeconds(15), Ct);
        await using (var member = Consumer(cluster, other))
        {
            member.Assign([Orders0, Orders1]);
            member.Commit([new TopicPartitionOffset(Orders0, new Offset(19)), new TopicPartitionOffset(Orders1, new Offset(21))]);
        }

        // The reopened node is the last replica standing: it leads the offsets partition alone and serves what it replicated.
        await cluster.WaitForReplicasInSyncAsync(offsetsPartition, TimeSpan.FromSeconds(10), Ct);
        await cluster.StopNodeAsync(leaderFirst ? leader : other);
        await cluster.StopNodeAsync(leaderFirst ? other : leader);
        await cluster.Node(reopened).WaitForMetadataAsync(m => m.Partitions[offsetsPartition].Leader == reopened, Ct);
        await using var successor = Consumer(cluster, reopened);
        successor.Subscribe("orders");
        var first = await ConsumeUntilAsync(successor, seen => seen.Count == 2);
        Assert.Equal(19, first[Orders0]);
        Assert.Equal(21, first[Orders1]);
    }

    private static IConsumer<Null, string> Consumer(TestCluster cluster, int node)
        => cluster.Node(node).Broker.CreateConsumer<Null, string>(new ConsumerConfig(new Dictionary<string, string>
        {
            ["group.id"] = Group,
            ["auto.offset.reset"] = "earliest",
            ["enable.auto.commit"] = "false",
            ["session.timeout.ms"] = "6000",
            ["heartbeat.interval.ms"] = "500",
            ["max.poll.interval.ms"] = "40000",
        }));

    /// <summary>Consumes until <paramref name="done"/> holds for the first offset seen of each partition; returns them.</summary>
    private static async Task<Dictionary<TopicPartition, long>> ConsumeUntilAsync(
        IConsumer<Null, string> consumer, Func<Dictionary<TopicPartition, long>, bool> done)
    {
        var first = new Dictionary<TopicPartition, long>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!done(first))
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out consuming; first offsets so far: {string.Join(", ", first)}.");
            if (await Task.Run(() => consumer.Consume(TimeSpan.FromMilliseconds(100)), Ct) is { } record)
            {
                first.TryAdd(record.TopicPartition, record.Offset);
            }
        }

        return first;
    }
}

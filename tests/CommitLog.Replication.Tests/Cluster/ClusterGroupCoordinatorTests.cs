using System.Collections.Concurrent;
using CommitLog.Groups;
using CommitLog.Groups.Coordinator;
using CommitLog.Replication.Control;
using static CommitLog.Replication.Tests.Cluster.GroupTestKit;

namespace CommitLog.Replication.Tests.Cluster;

/// <summary>One coordinator per group across a three-node cluster (in-memory transport, and TCP loopback where a test takes
/// <c>tcp</c>): the leader of the group's <c>__consumer_offsets</c>
/// partition. Members on different nodes form one group; commits from any node are fenced by that coordinator; when its
/// node stops, the members rejoin at the new leader and resume from the last commits.</summary>
public sealed class ClusterGroupCoordinatorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Group_MembersOnTwoNodes_ShareThePartitionsThroughOneCoordinator(bool tcp)
    {
        const string group = "shared";
        await using var cluster = await TestCluster.StartAsync(3, tcp, Ct);
        await CreateOrdersAsync(cluster);
        var offsets = await OffsetsPartitionAsync(cluster, group);
        var coordinator = cluster.Authority.Current.Partitions[offsets].Leader;
        int first = (coordinator + 1) % 3, second = (coordinator + 2) % 3;
        await using var a = Consumer(cluster, first, group);
        await using var b = Consumer(cluster, second, group);
        a.Subscribe(Topic);
        b.Subscribe(Topic);
        // Records are noted once the two members share the partitions; records produced after that reach their owner.
        var owners = new ConcurrentDictionary<TopicPartition, ConcurrentBag<int>>();
        var ends = new ConcurrentDictionary<TopicPartition, bool>();
        void Note(int index, ConsumeResult<Null, string> record)
        {
            if (ShareOrders([a, b]))
            {
                owners.GetOrAdd(record.TopicPartition, _ => []).Add(index);
                if (record.Offset == RecordsPerPartition + 4)
                {
                    ends[record.TopicPartition] = true;
                }
            }
        }

        await PollUntilAsync([a, b], () => ShareOrders([a, b]), Note, "one group");
        await ProduceOrdersAsync(cluster, RecordsPerPartition, 5);
        await PollUntilAsync([a, b], () => ends.Count == 2, Note, "each partition read to its end by its owner");

        // Each partition has exactly one owner, and the group lives on the coordinator only: no second coordinator anywhere.
        Assert.Single(a.Assignment);
        Assert.Single(b.Assignment);
        Assert.NotEqual(a.Assignment[0], b.Assignment[0]);
        var description = cluster.Node(coordinator).Broker.Groups.DescribeGroup(group);
        Assert.NotNull(description);
        Assert.Equal(2, description.Members.Count);
        Assert.Equal(GroupState.Stable, description.State);
        Assert.Equal(["member-on-node-" + first, "member-on-node-" + second], description.Members.Select(m => m.ClientId).Order());
        Assert.Null(cluster.Node(first).Broker.Groups.DescribeGroup(group));
        Assert.Null(cluster.Node(second).Broker.Groups.DescribeGroup(group));

        // Once the group settled, the records of a partition came only to its owner.
        Assert.Equal(2, owners.Count);
        Assert.All(owners, o => Assert.Single(o.Value.Distinct()));
        Assert.Equal(0, owners[a.Assignment[0]].Distinct().Single());
        Assert.Equal(1, owners[b.Assignment[0]].Distinct().Single());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Group_CoordinatorNodeStopped_SurvivorRejoinsNewCoordinatorAndResumesFromCommits(bool tcp)
    {
        const string group = "failover";
        await using var cluster = await TestCluster.StartAsync(3, tcp, Ct);
        await CreateOrdersAsync(cluster);
        var offsets = await OffsetsPartitionAsync(cluster, group);
        var coordinator = cluster.Authority.Current.Partitions[offsets].Leader;
        var survivorNode = (coordinator + 1) % 3;
        var onCoordinator = Consumer(cluster, coordinator, group);
        await using var survivor = Consumer(cluster, survivorNode, group);
        try
        {
            onCoordinator.Subscribe(Topic);
            survivor.Subscribe(Topic);
            await PollUntilAsync([onCoordinator, survivor], () => ShareOrders([onCoordinator, survivor]), what: "one group");

            // Both members commit through the coordinator (one in process, one forwarded), fenced by its generation.
            var lost = onCoordinator.Assignment[0];
            var kept = survivor.Assignment[0];
            onCoordinator.Commit([new TopicPartitionOffset(lost, new Offset(17))]);
            survivor.Commit([new TopicPartitionOffset(kept, new Offset(29))]);

            await cluster.StopNodeAsync(coordinator);
            var metadata = await cluster.Node(survivorNode).WaitForMetadataAsync(
                m => m.Partitions[offsets].Leader is var l && l != coordinator && l != PartitionState.NoLeader, Ct);
            var successor = metadata.Partitions[offsets].Leader;

            // The survivor finds the new coordinator, rejoins (a new generation there), owns both partitions and starts
            // each exactly at its last commit: nothing skipped, nothing before the commit read again.
            var firstSeen = new ConcurrentDictionary<TopicPartition, long>();
            var seen = new ConcurrentDictionary<(TopicPartition, long), int>();
            await PollUntilAsync([survivor],
                () => survivor.Assignment.Count == 2 && seen.Count == (RecordsPerPartition - 17) + (RecordsPerPartition - 29),
                (_, r) =>
                {
                    if (survivor.Assignment.Count == 2)
                    {
                        firstSeen.TryAdd(r.TopicPartition, r.Offset);
                        seen.AddOrUpdate((r.TopicPartition, r.Offset), 1, (_, n) => n + 1);
                    }
                },
                "the survivor to own both partitions and read them to the end");
            Assert.Equal(17, firstSeen[lost]);
            Assert.Equal(29, firstSeen[kept]);
            Assert.Equal(Enumerable.Range(17, RecordsPerPartition - 17).Select(o => (long)o), seen.Keys.Where(k => k.Item1 == lost).Select(k => k.Item2).Order());
            Assert.Equal(Enumerable.Range(29, RecordsPerPartition - 29).Select(o => (long)o), seen.Keys.Where(k => k.Item1 == kept).Select(k => k.Item2).Order());
            Assert.All(seen.Values, n => Assert.Equal(1, n));

            var moved = cluster.Node(successor).Broker.Groups.DescribeGroup(group);
            Assert.NotNull(moved);
            Assert.Equal(["member-on-node-" + survivorNode], moved.Members.Select(m => m.ClientId));
            Assert.True(moved.GenerationId >= 1);
            foreach (var other in Enumerable.Range(0, 3).Where(n => n != coordinator && n != successor))
            {
                Assert.Null(cluster.Node(other).Broker.Groups.DescribeGroup(group));
            }

            // The rejoined member commits through the new coordinator.
            survivor.Commit([new TopicPartitionOffset(lost, new Offset(RecordsPerPartition))]);
            Assert.Equal(RecordsPerPartition, cluster.Node(successor).Broker.OffsetStore.Fetch(group)[lost].Offset);
        }
        finally
        {
            await DisposeQuietlyAsync(onCoordinator);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Commit_ThroughNonCoordinatorNode_FencedByTheCoordinatorAndVisibleOnAThirdNode(bool tcp)
    {
        const string group = "committers";
        await using var cluster = await TestCluster.StartAsync(3, tcp, Ct);
        await CreateOrdersAsync(cluster);
        var offsets = await OffsetsPartitionAsync(cluster, group);
        var coordinator = cluster.Authority.Current.Partitions[offsets].Leader;
        int memberNode = (coordinator + 1) % 3, third = (coordinator + 2) % 3;
        await using var member = Consumer(cluster, memberNode, group);
        member.Subscribe(Topic);
        await PollUntilAsync([member], () => member.Assignment.Count == 2, what: "the member's assignment");

        member.Commit([new TopicPartitionOffset(Orders0, new Offset(7)), new TopicPartitionOffset(Orders1, new Offset(9))]);
        var thirdOffsets = cluster.Node(third).Broker.GroupOffsets;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!(thirdOffsets.Fetch(group) is var c && c.TryGetValue(Orders0, out var o0) && o0.Offset == 7
            && c.TryGetValue(Orders1, out var o1) && o1.Offset == 9))
        {
            Assert.True(DateTime.UtcNow < deadline, "The commit made on a non-coordinator node never became visible on the third node.");
            await Task.Delay(20, Ct);
        }

        // The coordinator knows the group, wherever the commit comes from: a consumer outside the group (no generation) on
        // the third node, and a stale generation on the member's node, are both refused, and nothing changes.
        await using (var outsider = cluster.Node(third).Broker.CreateConsumer<Null, string>(new ConsumerConfig(new Dictionary<string, string>
        {
            ["group.id"] = group, ["enable.auto.commit"] = "false",
        })))
        {
            outsider.Assign([Orders0]);
            var refused = Assert.Throws<CommitFailedException>(() => outsider.Commit([new TopicPartitionOffset(Orders0, new Offset(3))]));
            Assert.Equal(Storage.ErrorCode.UnknownMemberId, refused.ErrorCode);
            Assert.False(refused.IsRetriable);
        }

        var live = cluster.Node(coordinator).Broker.Groups.DescribeGroup(group)!;
        var stale = new GroupGeneration(live.GenerationId + 5, live.Members[0].MemberId, null);
        var fenced = await Assert.ThrowsAsync<CommitFailedException>(async () => await cluster.Node(memberNode).Broker.GroupOffsets.CommitAsync(
            group, stale, [new OffsetCommit(Orders1, 2)], Ct));
        Assert.Equal(Storage.ErrorCode.IllegalGeneration, fenced.ErrorCode);
        Assert.Equal(7, cluster.Node(coordinator).Broker.OffsetStore.Fetch(group)[Orders0].Offset);
        Assert.Equal(9, cluster.Node(coordinator).Broker.OffsetStore.Fetch(group)[Orders1].Offset);
        Assert.Null(cluster.Node(memberNode).Broker.Groups.DescribeGroup(group));
        Assert.Null(cluster.Node(third).Broker.Groups.DescribeGroup(group));
    }

    [Fact]
    public async Task Group_CoordinatorLosesLeadershipWhileRunning_DropsTheGroupAndMembersRejoinAtTheNewLeader()
    {
        const string group = "moved";
        await using var cluster = await TestCluster.StartAsync(3, tcp: false, Ct);
        await CreateOrdersAsync(cluster);
        var offsets = await OffsetsPartitionAsync(cluster, group);
        var coordinator = cluster.Authority.Current.Partitions[offsets].Leader;
        var other = (coordinator + 1) % 3;
        var target = (coordinator + 2) % 3;
        await using var local = Consumer(cluster, coordinator, group);
        await using var remote = Consumer(cluster, other, group);
        local.Subscribe(Topic);
        remote.Subscribe(Topic);
        await PollUntilAsync([local, remote], () => ShareOrders([local, remote]), what: "one group");
        var before = cluster.Node(coordinator).Broker.Groups.DescribeGroup(group)!;

        // Leadership of the group's offsets partition moves while every node keeps running.
        Assert.True(cluster.Authority.Apply(new ElectLeader(offsets, target, AllowUnclean: false)).Accepted);
        await cluster.Node(coordinator).WaitForMetadataAsync(m => m.Partitions[offsets].Leader == target, Ct);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (cluster.Node(coordinator).Broker.Groups.DescribeGroup(group) is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, "The old coordinator kept the group after it lost the leadership of the group's offsets partition.");
            await Task.Delay(10, Ct);
        }

        // Both members (one on the old coordinator's node) rejoin at the new leader: one group there, none elsewhere.
        await PollUntilAsync([local, remote],
            () => ShareOrders([local, remote]) && cluster.Node(target).Broker.Groups.DescribeGroup(group) is { State: GroupState.Stable, Members.Count: 2 },
            what: "both members in one group at the new coordinator");
        var moved = cluster.Node(target).Broker.Groups.DescribeGroup(group)!;
        Assert.DoesNotContain(moved.Members, m => before.Members.Any(b => b.MemberId == m.MemberId)); // rejoined as new members
        Assert.Null(cluster.Node(coordinator).Broker.Groups.DescribeGroup(group));
        Assert.Null(cluster.Node(other).Broker.Groups.DescribeGroup(group));
        local.Commit([new TopicPartitionOffset(local.Assignment[0], new Offset(3))]);
        Assert.Equal(3, cluster.Node(target).Broker.OffsetStore.Fetch(group)[local.Assignment[0]].Offset);
    }

    private static async Task DisposeQuietlyAsync(IConsumer<Null, string> consumer)
    {
        try
        {
            await consumer.DisposeAsync();
        }
#pragma warning disable CA1031 // its node is gone
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}

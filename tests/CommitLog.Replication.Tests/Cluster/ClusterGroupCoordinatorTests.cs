using System.Collections.Concurrent;
using CommitLog.Groups;
using CommitLog.Groups.Coordinator;
using CommitLog.Replication.Control;
using CommitLog.Replication.Protocol;
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
    public async Task Garbage_CoordinatorFramesFromAPeer_ChangeNothing()
    {
        const string group = "garbage";
        await using var cluster = await TestCluster.StartAsync(3, tcp: false, Ct);
        await CreateOrdersAsync(cluster);
        var offsets = await OffsetsPartitionAsync(cluster, group);
        var coordinator = cluster.Authority.Current.Partitions[offsets].Leader;
        await using var member = Consumer(cluster, (coordinator + 1) % 3, group);
        member.Subscribe(Topic);
        await PollUntilAsync([member], () => member.Assignment.Count == 2, what: "the member's assignment");
        member.Commit([new TopicPartitionOffset(Orders0, new Offset(7)), new TopicPartitionOffset(Orders1, new Offset(9))]);
        var groups = cluster.Node(coordinator).Broker.Groups;
        var before = groups.DescribeGroup(group)!;
        Assert.True(cluster.Node(coordinator).Broker.TryGetPartitionLog(offsets, out var offsetsLog));
        var logEnd = offsetsLog.LogEndOffset;

        // Real requests of this group and member (leave it, commit for it, rejoin it), cut short or extended, and noise
        // carrying the coordinator message kinds, from a connected peer: each is refused and the connection dropped.
        var generation = new GroupGeneration(before.GenerationId, before.Members[0].MemberId, null);
        var real = new ReplicationMessage[]
        {
            new CoordinatorLeaveRequest(1, group, [new LeaveGroupMember(generation.MemberId, null, "forged")]),
            new CoordinatorCommitRequest(2, group, generation, [new OffsetCommit(Orders0, 1), new OffsetCommit(Orders1, 2)]),
            new CoordinatorJoinRequest(3, new JoinGroupRequest(group, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(6), string.Empty, null, "consumer",
                [new JoinGroupProtocol("range", [])])),
            new CoordinatorHeartbeatRequest(4, new HeartbeatRequest(group, generation.GenerationId, generation.MemberId, null)),
        }.Select(m => MessageCodec.Encode(m)).ToList();
        var random = new Random(77);
        var frames = new List<byte[]>();
        foreach (var bytes in real)
        {
            frames.AddRange(Enumerable.Range(0, bytes.Length).Where(n => n % 3 == 0 || n > bytes.Length - 4).Select(n => bytes[..n]));
            frames.Add([.. bytes, 0]);
        }

        for (var i = 0; i < 100; i++)
        {
            var noise = new byte[random.Next(2, 120)];
            random.NextBytes(noise);
            noise[0] = (byte)random.Next(5, 15);
            noise[1] = 0;
            frames.Add(noise);
        }

        var peer = cluster.Network.CreateTransport("9");
        foreach (var frame in frames)
        {
            await using var connection = await peer.ConnectAsync("node-" + coordinator, Ct);
            await connection.SendAsync(1, frame, Ct);
        }

        await peer.DisposeAsync();
        await Task.Delay(1_000, Ct); // heartbeats go on meanwhile

        var after = groups.DescribeGroup(group)!;
        Assert.Equal(before.GenerationId, after.GenerationId);
        Assert.Equal(before.Members.Select(m => m.MemberId), after.Members.Select(m => m.MemberId));
        Assert.Equal(GroupState.Stable, after.State);
        Assert.Equal(logEnd, offsetsLog.LogEndOffset);
        Assert.Equal(7, cluster.Node(coordinator).Broker.OffsetStore.Fetch(group)[Orders0].Offset);
        Assert.Equal(9, cluster.Node(coordinator).Broker.OffsetStore.Fetch(group)[Orders1].Offset);
        member.Commit([new TopicPartitionOffset(Orders0, new Offset(8))]); // the coordinator still serves its member
        Assert.Equal(8, cluster.Node(coordinator).Broker.OffsetStore.Fetch(group)[Orders0].Offset);
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

using CommitLog.Groups;
using CommitLog.Groups.Coordinator;
using CommitLog.Replication.Protocol;
using static CommitLog.Replication.Tests.Cluster.GroupTestKit;

namespace CommitLog.Replication.Tests.Cluster;

/// <summary>Malformed group-coordinator frames from a connected peer reach a running coordinator and change nothing.</summary>
public sealed class ClusterGroupCoordinatorGarbageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

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
}

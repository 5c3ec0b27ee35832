using System.Diagnostics;
using System.Net;
using CommitLog.Replication.Control;
using Microsoft.Extensions.Logging;

namespace CommitLog.Replication.Tests.Control;

[Collection(RaftCollection.Name)]
public sealed class RaftControlPlaneTests
{
    private static readonly ReplicatedTopic Orders = new("orders", 3, 3, 2, UncleanLeaderElection: false);

    private static async Task<RaftControlPlane> StartRegisteredAsync(RaftTestCluster cluster, CancellationToken ct)
    {
        await cluster.StartAllAsync(ct);
        RaftControlPlane controller = await cluster.WaitForControllerAsync(ct);
        await cluster.WaitForAllAsync(m => m.Brokers.Count == 3 && m.Brokers.Values.All(b => !b.IsFenced), ct);
        return controller;
    }

    [Fact]
    public async Task Raft_ThreeNodes_OneControllerAndEveryNodeRegistered()
    {
        CancellationToken ct = TcpTestKit.Timeout(20);
        await using var cluster = new RaftTestCluster();
        var started = Stopwatch.StartNew();
        RaftControlPlane controller = await StartRegisteredAsync(cluster, ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"controller elected and all registered {started.ElapsedMilliseconds} ms after the first start");

        int[] gauges = [.. cluster.Running.Select(n => GaugeProbe.Read(n.Meter, "commitlog.controller.active"))];
        Assert.Equal(1, gauges.Sum());
        Assert.Equal(1, gauges[controller.NodeId]);
        Assert.All(cluster.Running, n => Assert.Equal(controller.NodeId, n.Metadata.ControllerId));
        Assert.All(cluster.Running, n => Assert.Equal("broker-1:9093", n.Metadata.Brokers[1].Address));
    }

    [Fact]
    public async Task CreateTopic_OnNonController_CommittedAndSeenByEveryNode()
    {
        CancellationToken ct = TcpTestKit.Timeout(20);
        await using var cluster = new RaftTestCluster();
        RaftControlPlane controller = await StartRegisteredAsync(cluster, ct);
        RaftControlPlane follower = cluster.Running.First(n => n.NodeId != controller.NodeId);

        ClusterMetadata created = await follower.CreateTopicAsync(Orders, ct);

        Assert.Equal(Orders, created.Topics["orders"]);
        Assert.Equal(created.Version, follower.Metadata.Version); // applied locally before returning
        await cluster.WaitForAllAsync(m => m.Version >= created.Version, ct);
        foreach (RaftControlPlane node in cluster.Running)
        {
            Assert.Equal(3, node.Metadata.Partitions.Count);
            for (int p = 0; p < 3; p++)
            {
                PartitionState state = node.Metadata.Partitions[new TopicPartition("orders", p)];
                Assert.Equal(created.Partitions[state.TopicPartition].Replicas, state.Replicas);
                Assert.Equal(state.Replicas[0], state.Leader);
                Assert.Equal(0, state.LeaderEpoch);
            }
        }

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await controller.CreateTopicAsync(Orders, ct));
    }

    [Fact]
    public async Task AlterIsr_StaleEpochRejected_CurrentEpochAccepted()
    {
        CancellationToken ct = TcpTestKit.Timeout(20);
        await using var cluster = new RaftTestCluster();
        RaftControlPlane controller = await StartRegisteredAsync(cluster, ct);
        RaftControlPlane follower = cluster.Running.First(n => n.NodeId != controller.NodeId);
        ClusterMetadata created = await follower.CreateTopicAsync(Orders, ct);
        var tp = new TopicPartition("orders", 0);
        PartitionState before = created.Partitions[tp];
        int[] shrunk = [before.Leader, before.Replicas[1]];

        PartitionState stale = await follower.AlterIsrAsync(tp, before.LeaderEpoch - 1, before.PartitionEpoch, shrunk, ct);
        PartitionState staleIsr = await follower.AlterIsrAsync(tp, before.LeaderEpoch, before.PartitionEpoch + 5, shrunk, ct);
        PartitionState accepted = await follower.AlterIsrAsync(tp, before.LeaderEpoch, before.PartitionEpoch, shrunk, ct);
        PartitionState replayed = await controller.AlterIsrAsync(tp, before.LeaderEpoch, before.PartitionEpoch, before.Replicas, ct);

        Assert.Equal(before.Isr, stale.Isr);
        Assert.Equal(before.PartitionEpoch, stale.PartitionEpoch);
        Assert.Equal(before.PartitionEpoch, staleIsr.PartitionEpoch);
        Assert.Equal(shrunk, accepted.Isr);
        Assert.Equal(before.PartitionEpoch + 1, accepted.PartitionEpoch);
        Assert.Equal(shrunk, replayed.Isr); // the old partition epoch is stale now
        await cluster.WaitForAllAsync(m => m.Partitions[tp].Isr.SequenceEqual(shrunk), ct);
    }

    [Fact]
    public async Task ControllerStopped_NewControllerFencesItAndMovesLeadership_RestartUnfencesAndCatchesUp()
    {
        CancellationToken ct = TcpTestKit.Timeout(40);
        await using var cluster = new RaftTestCluster();
        RaftControlPlane controller = await StartRegisteredAsync(cluster, ct);
        int stopped = controller.NodeId;
        ClusterMetadata created = await cluster.Running.First(n => n.NodeId != stopped).CreateTopicAsync(Orders, ct);
        await cluster.WaitForAllAsync(m => m.Version >= created.Version, ct);
        PartitionState[] ledByStopped = [.. created.Partitions.Values.Where(p => p.Leader == stopped)];
        Assert.Single(ledByStopped); // round-robin over 3 nodes: each leads one of the 3 partitions

        var failover = Stopwatch.StartNew();
        await cluster.StopAsync(stopped);
        RaftControlPlane successor = await cluster.WaitForControllerAsync(ct);
        long electedMs = failover.ElapsedMilliseconds;
        await cluster.WaitForAllAsync(m => m.Brokers[stopped].IsFenced, ct);
        long fencedMs = failover.ElapsedMilliseconds;
        TestContext.Current.TestOutputHelper?.WriteLine($"new controller after {electedMs} ms, node {stopped} fenced after {fencedMs} ms");

        Assert.NotEqual(stopped, successor.NodeId);
        Assert.True(electedMs < RaftTestCluster.ElectionTimeout.TotalMilliseconds * 2 + 2000, $"election took {electedMs} ms");
        // the new controller counts the old one's session from one election timeout before its election
        double minimumWait = (RaftTestCluster.SessionTimeout - RaftTestCluster.ElectionTimeout).TotalMilliseconds - 300;
        Assert.True(fencedMs - electedMs >= minimumWait, $"fenced {fencedMs - electedMs} ms after the election");
        foreach (RaftControlPlane node in cluster.Running)
        {
            PartitionState moved = node.Metadata.Partitions[ledByStopped[0].TopicPartition];
            Assert.NotEqual(stopped, moved.Leader);
            Assert.Contains(moved.Leader, ledByStopped[0].Isr);
            Assert.Equal(ledByStopped[0].LeaderEpoch + 1, moved.LeaderEpoch);
            Assert.DoesNotContain(stopped, moved.Isr);
            Assert.All(node.Metadata.Partitions.Values, p => Assert.NotEqual(stopped, p.Leader));
        }

        Assert.Equal(1, GaugeProbe.Read(successor.Meter, "commitlog.controller.brokers.fenced"));
        Assert.Equal(0, GaugeProbe.Read(successor.Meter, "commitlog.controller.partitions.offline"));
        Assert.Equal(1, GaugeProbe.Read(successor.Meter, "commitlog.controller.active"));
        long versionWhileDown = successor.Metadata.Version;
        await cluster.StartAsync(stopped, ct);
        RaftControlPlane restarted = cluster.Nodes[stopped]!;
        await cluster.WaitForAllAsync(m => m.Brokers.TryGetValue(stopped, out var b) && !b.IsFenced && m.Version > versionWhileDown, ct);
        foreach (PartitionState expected in successor.Metadata.Partitions.Values)
        {
            PartitionState actual = restarted.Metadata.Partitions[expected.TopicPartition];
            Assert.Equal((expected.Leader, expected.LeaderEpoch, expected.PartitionEpoch), (actual.Leader, actual.LeaderEpoch, actual.PartitionEpoch));
            Assert.Equal(expected.Isr, actual.Isr);
        }

        Assert.Equal(Orders, restarted.Metadata.Topics["orders"]);
    }

    [Fact]
    public async Task NonControllerStopped_FencedOnlyAfterSessionTimeout_ItsPartitionMoves()
    {
        CancellationToken ct = TcpTestKit.Timeout(30);
        await using var cluster = new RaftTestCluster();
        RaftControlPlane controller = await StartRegisteredAsync(cluster, ct);
        ClusterMetadata created = await controller.CreateTopicAsync(Orders, ct);
        int stopped = cluster.Running.First(n => n.NodeId != controller.NodeId).NodeId;
        PartitionState led = created.Partitions.Values.Single(p => p.Leader == stopped);
        await cluster.WaitForAllAsync(m => m.Version >= created.Version, ct);

        var clock = Stopwatch.StartNew();
        await cluster.StopAsync(stopped);
        await Task.Delay(RaftTestCluster.SessionTimeout / 2, ct);
        Assert.False(controller.Metadata.Brokers[stopped].IsFenced, "fenced before the session timeout");
        await cluster.WaitForAllAsync(m => m.Brokers[stopped].IsFenced, ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"non-controller node {stopped} fenced {clock.ElapsedMilliseconds} ms after it stopped");

        Assert.Equal(controller.NodeId, (await cluster.WaitForControllerAsync(ct)).NodeId); // no election for a follower
        Assert.True(clock.Elapsed >= RaftTestCluster.SessionTimeout - TimeSpan.FromMilliseconds(100), $"fenced after {clock.ElapsedMilliseconds} ms");
        PartitionState moved = controller.Metadata.Partitions[led.TopicPartition];
        Assert.Equal((led.LeaderEpoch + 1, led.PartitionEpoch + 1), (moved.LeaderEpoch, moved.PartitionEpoch));
        Assert.Equal(led.Replicas.First(n => n != stopped && led.Isr.Contains(n)), moved.Leader); // first replica in Replicas order that is in the ISR and alive
        Assert.Equal([.. led.Isr.Where(n => n != stopped)], moved.Isr);
    }

    [Fact]
    public async Task LeaderOutsideIsrStopped_UncleanTopic_ControllerElectsUncleanlyLogsAndCounts()
    {
        CancellationToken ct = TcpTestKit.Timeout(30);
        var logs = new CapturingLoggerFactory();
        await using var cluster = new RaftTestCluster { LoggerFactory = logs };
        RaftControlPlane controller = await StartRegisteredAsync(cluster, ct);
        using var unclean = new CounterProbe(controller.Meter, "commitlog.controller.unclean_leader_elections");
        using var elections = new CounterProbe(controller.Meter, "commitlog.controller.leader_elections");
        ClusterMetadata created = await controller.CreateTopicAsync(new ReplicatedTopic("risky", 3, 3, 1, UncleanLeaderElection: true), ct);
        int stopped = cluster.Running.First(n => n.NodeId != controller.NodeId).NodeId;
        PartitionState led = created.Partitions.Values.Single(p => p.Leader == stopped);
        PartitionState alone = await controller.AlterIsrAsync(led.TopicPartition, led.LeaderEpoch, led.PartitionEpoch, [stopped], ct);
        Assert.Equal([stopped], alone.Isr); // the followers fell behind

        await cluster.StopAsync(stopped);
        await cluster.WaitForAllAsync(m => m.Brokers[stopped].IsFenced, ct);

        PartitionState moved = controller.Metadata.Partitions[led.TopicPartition];
        int expected = led.Replicas.First(n => n != stopped);
        Assert.Equal((expected, led.LeaderEpoch + 1), (moved.Leader, moved.LeaderEpoch));
        Assert.Equal([expected], moved.Isr);
        Assert.Equal(1, unclean.Total);
        Assert.Equal(1, elections.Total);
        Assert.Contains(logs.Lines, l => l.Level == LogLevel.Warning
            && l.Message.Contains($"UNCLEAN leader election for {led.TopicPartition}", StringComparison.Ordinal)
            && l.Message.Contains($"last ISR {stopped}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WholeClusterRestart_EachNodeReloadsItsLogAndSnapshots_ThenContinues()
    {
        CancellationToken ct = TcpTestKit.Timeout(30);
        await using var cluster = new RaftTestCluster();
        await StartRegisteredAsync(cluster, ct);
        RaftControlPlane any = cluster.Running.First();
        for (int i = 0; i < 4; i++)
        {
            await any.CreateTopicAsync(Orders with { Name = $"t{i}" }, ct); // more entries than SnapshotInterval (5)
        }

        ClusterMetadata beforeStop = any.Metadata;
        await cluster.WaitForAllAsync(m => m.Version >= beforeStop.Version, ct);
        for (int i = 0; i < 3; i++)
        {
            await cluster.StopAsync(i);
        }

        await cluster.StartAsync(2, ct); // alone: no quorum, so everything it has comes from its own directory
        ClusterMetadata reloaded = cluster.Nodes[2]!.Metadata;
        Assert.Equal(beforeStop.Version, reloaded.Version);
        Assert.Equal(beforeStop.Topics.Keys.Order(), reloaded.Topics.Keys.Order());
        Assert.Equal(-1, reloaded.ControllerId);
        Assert.True(Directory.EnumerateFiles(Path.Combine(cluster.Options(2).DataDirectory, "snapshots")).Any(), "no snapshot was written");

        await cluster.StartAsync(0, ct);
        await cluster.StartAsync(1, ct);
        await cluster.WaitForControllerAsync(ct);
        ClusterMetadata after = await cluster.Running.First().CreateTopicAsync(Orders with { Name = "after-restart" }, ct);
        Assert.True(after.Version > beforeStop.Version);
        await cluster.WaitForAllAsync(m => m.Topics.ContainsKey("after-restart") && m.Topics.Count == 5, ct);
    }

    [Fact]
    public async Task UntrustedPeer_GetsNoMetadataAndCannotPropose()
    {
        CancellationToken ct = TcpTestKit.Timeout(20);
        var logs = new CapturingLoggerFactory();
        await using var cluster = new RaftTestCluster { LoggerFactory = logs };
        await StartRegisteredAsync(cluster, ct);
        await cluster.Running.First().CreateTopicAsync(Orders, ct);

        int[] ports = FreePorts.Take(2);
        var rogueMember = new ControlPlaneMember(3, new IPEndPoint(IPAddress.Loopback, ports[0]), $"127.0.0.1:{ports[1]}", "rogue:9093");
        using var rogueCertificate = TestCertificates.Create("rogue");
        RaftControlPlaneOptions trusted = cluster.Options(3, rogueCertificate, [.. cluster.Members, rogueMember]);
        var rogueOptions = new RaftControlPlaneOptions
        {
            NodeId = 3,
            Members = trusted.Members,
            DataDirectory = trusted.DataDirectory,
            ClusterSecret = trusted.ClusterSecret,
            Tls = new CommitLog.Replication.Tcp.TcpTlsOptions { Certificate = rogueCertificate, TrustedPeers = [rogueCertificate], ValidatePeer = (_, _, _) => true },
            ElectionTimeout = trusted.ElectionTimeout,
            HeartbeatInterval = trusted.HeartbeatInterval,
            BrokerSessionTimeout = trusted.BrokerSessionTimeout,
            RequestTimeout = trusted.RequestTimeout,
        };
        using var refused = new CounterProbe(cluster.Nodes[0]!.Meter, "commitlog.controller.peers.refused");
        await using var rogue = new RaftControlPlane(rogueOptions);
        await rogue.StartAsync(ct);

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await rogue.ProposeAsync(new CreateTopic(new ReplicatedTopic("rogue", 1, 1, 1, false), [[0]]), attempt.Token));

        Assert.Equal(0, rogue.Metadata.Version);
        Assert.Empty(rogue.Metadata.Topics);
        Assert.All(cluster.Running, n => Assert.DoesNotContain("rogue", n.Metadata.Topics.Keys));
        Assert.All(cluster.Running, n => Assert.False(n.Metadata.Brokers.ContainsKey(3)));
        Assert.Contains(logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("untrusted certificate CN=rogue", StringComparison.Ordinal));
        Assert.True(refused.Total > 0, "node 0 counted no refused peer");
    }
}

using System.Diagnostics;
using CommitLog.Replication.Control;

namespace CommitLog.Replication.Tests.Control;

[Collection(RaftCollection.Name)]
public sealed class RaftControlPlaneTests
{
    private static readonly ReplicatedTopic Orders = new("orders", 3, 3, 2, UncleanLeaderElection: false);

    [Fact]
    public async Task Raft_ThreeNodes_OneControllerAndEveryNodeRegistered()
    {
        CancellationToken ct = TcpTestKit.Timeout(20);
        await using var cluster = new RaftTestCluster();
        var started = Stopwatch.StartNew();
        await cluster.StartAllAsync(ct);
        RaftControlPlane controller = await cluster.WaitForControllerAsync(ct);
        TestContext.Current.SendDiagnosticMessage($"controller elected {started.ElapsedMilliseconds} ms after the first start");
        await cluster.WaitForAllAsync(m => m.Brokers.Count == 3 && m.Brokers.Values.All(b => !b.IsFenced), ct);

        int[] gauges = [.. cluster.Running.Select(n => GaugeProbe.Read(n.Meter, "commitlog.controller.active"))];
        Assert.Equal(1, gauges.Sum());
        Assert.Equal(1, gauges[controller.NodeId]);
        Assert.All(cluster.Running, n => Assert.Equal(controller.NodeId, n.Metadata.ControllerId));
        Assert.All(cluster.Running, n => Assert.Equal("broker-1:9093", n.Metadata.Brokers[1].Address));
    }
}

using CommitLog.Replication.Control;

namespace CommitLog.Replication.Tests.Control;

[Collection(RaftCollection.Name)]
public sealed class RaftControlPlaneContractTests : ControlPlaneContractTests
{
    private protected override async Task<(IControlPlane Plane, IAsyncDisposable Owner)> StartAsync(CancellationToken ct)
    {
        var cluster = new RaftTestCluster();
        await cluster.StartAllAsync(ct);
        RaftControlPlane controller = await cluster.WaitForControllerAsync(ct);
        await cluster.WaitForAllAsync(m => m.Brokers.Count == 3 && m.Brokers.Values.All(b => !b.IsFenced), ct);
        return (cluster.Running.First(n => n.NodeId != controller.NodeId), cluster);
    }
}

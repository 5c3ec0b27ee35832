using CommitLog.Replication.Control;

namespace CommitLog.Replication.Tests.Control;

public sealed class StaticControlPlaneContractTests : ControlPlaneContractTests
{
    private protected override async Task<(IControlPlane Plane, IAsyncDisposable Owner)> StartAsync(CancellationToken ct)
    {
        var directory = new TempDirectory();
        var plane = new StaticControlPlane(new StaticControlPlaneOptions
        {
            NodeId = 1,
            Nodes = new Dictionary<int, string> { [0] = "a:1", [1] = "b:1", [2] = "c:1" },
            DataDirectory = directory.Path,
        });
        await plane.StartAsync(ct);
        return (plane, new Owner(plane, directory));
    }

    private sealed class Owner(StaticControlPlane plane, TempDirectory directory) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await plane.DisposeAsync();
            directory.Dispose();
        }
    }
}

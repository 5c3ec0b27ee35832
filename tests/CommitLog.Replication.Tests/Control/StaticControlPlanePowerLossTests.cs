using CommitLog.Replication.Control;
using CommitLog.TestKit;

namespace CommitLog.Replication.Tests.Control;

/// <summary>
/// The static control plane's metadata file on a simulated disk: a promotion that returned survives a power loss
/// (the file is flushed and the rename made durable by a directory sync), whatever the disk keeps of unsynced changes.
/// </summary>
public sealed class StaticControlPlanePowerLossTests
{
    private const string Directory = "/node2/control";
    private static readonly ReplicatedTopic Orders = new("orders", 2, 2, 1, UncleanLeaderElection: false);

    [Theory]
    [InlineData(PowerLossMode.DropUnflushed)]
    [InlineData(PowerLossMode.KeepPrefix)]
    [InlineData(PowerLossMode.KeepRandomPages)]
    [InlineData(PowerLossMode.TornWrite)]
    [InlineData(PowerLossMode.ZeroFilledExtension)]
    [InlineData(PowerLossMode.Random)]
    public async Task Promote_ThenPowerLoss_PromotionKeptOnRestart(PowerLossMode mode)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        for (int seed = 0; seed < 20; seed++)
        {
            var storage = new SimulatedStorage(seed);
            ClusterMetadata promoted;
            await using (var standby = new StaticControlPlane(Options(storage)))
            {
                await standby.StartAsync(ct);
                promoted = await standby.PromoteAsync(new TopicPartition("orders", 0), cancellationToken: ct);
            }

            storage.Crash(mode, seed);

            await using var restarted = new StaticControlPlane(Options(storage));
            await restarted.StartAsync(ct);
            PartitionState p0 = restarted.Metadata.Partitions[new TopicPartition("orders", 0)];
            Assert.True(p0.Leader == 2 && p0.LeaderEpoch == 1,
                $"Seed {seed}, {mode}: after the power loss partition 0 is led by {p0.Leader} in epoch {p0.LeaderEpoch}; the promotion to node 2 in epoch 1 had returned.");
            Assert.Equal(promoted.Version, restarted.Metadata.Version);
        }
    }

    private static StaticControlPlaneOptions Options(SimulatedStorage storage) => new()
    {
        NodeId = 2,
        Nodes = new Dictionary<int, string> { [1] = "primary:9093", [2] = "standby:9093" },
        Topics = [new StaticTopicAssignment(Orders, [[1, 2], [2, 1]])],
        DataDirectory = Directory,
        Storage = storage,
    };
}

using CommitLog.Replication.Control;
using Microsoft.Extensions.Logging;

namespace CommitLog.Replication.Tests.Control;

public sealed class StaticControlPlaneTests
{
    private static readonly ReplicatedTopic Orders = new("orders", 2, 2, 1, UncleanLeaderElection: false);

    private static StaticControlPlaneOptions Options(string directory, int nodeId, ILoggerFactory? logs = null) => new()
    {
        NodeId = nodeId,
        Nodes = new Dictionary<int, string> { [1] = "primary:9093", [2] = "standby:9093" },
        Topics = [new StaticTopicAssignment(Orders, [[1, 2], [2, 1]])],
        DataDirectory = directory,
        LoggerFactory = logs,
    };

    private static async Task<StaticControlPlane> StartAsync(StaticControlPlaneOptions options, CancellationToken ct)
    {
        var plane = new StaticControlPlane(options);
        await plane.StartAsync(ct);
        return plane;
    }

    [Fact]
    public async Task Start_FromConfiguration_FirstReplicaLeadsEpochZero()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var directory = new TempDirectory();
        await using StaticControlPlane plane = await StartAsync(Options(directory.Path, 2), ct);

        ClusterMetadata m = plane.Metadata;
        Assert.Equal(-1, m.ControllerId);
        Assert.Equal(["primary:9093", "standby:9093"], m.Brokers.Values.OrderBy(b => b.NodeId).Select(b => b.Address));
        Assert.All(m.Brokers.Values, b => Assert.False(b.IsFenced));
        PartitionState p0 = m.Partitions[new TopicPartition("orders", 0)];
        PartitionState p1 = m.Partitions[new TopicPartition("orders", 1)];
        Assert.Equal((1, 0, 0), (p0.Leader, p0.LeaderEpoch, p0.PartitionEpoch));
        Assert.Equal((2, 0, 0), (p1.Leader, p1.LeaderEpoch, p1.PartitionEpoch));
        Assert.Equal([1, 2], p0.Isr);
        Assert.Equal(0, GaugeProbe.Read(plane.Meter, "commitlog.controller.active"));
    }

    [Fact]
    public async Task Promote_AllPartitions_LeadsEveryReplicatedPartitionWithNewEpoch_KeptAcrossRestart()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var directory = new TempDirectory();
        ClusterMetadata promoted;
        await using (StaticControlPlane standby = await StartAsync(Options(directory.Path, 2), ct))
        {
            using var elections = new CounterProbe(standby.Meter, "commitlog.controller.leader_elections");
            promoted = await standby.PromoteAsync(cancellationToken: ct);
            Assert.Equal(1, elections.Total); // it already led partition 1
        }

        PartitionState p0 = promoted.Partitions[new TopicPartition("orders", 0)];
        Assert.Equal((2, 1, 1), (p0.Leader, p0.LeaderEpoch, p0.PartitionEpoch));
        Assert.Equal((2, 0), (promoted.Partitions[new TopicPartition("orders", 1)].Leader, promoted.Partitions[new TopicPartition("orders", 1)].LeaderEpoch));

        await using StaticControlPlane restarted = await StartAsync(Options(directory.Path, 2), ct);
        Assert.Equal(promoted.Version, restarted.Metadata.Version);
        PartitionState reloaded = restarted.Metadata.Partitions[new TopicPartition("orders", 0)];
        Assert.Equal((2, 1, 1), (reloaded.Leader, reloaded.LeaderEpoch, reloaded.PartitionEpoch));
        Assert.Equal([2], reloaded.Isr); // the old leader leaves the ISR; its data plane rejoins it after catching up
        Assert.Equal(promoted.Version, (await restarted.PromoteAsync(new TopicPartition("orders", 0), cancellationToken: ct)).Version); // already leads: no-op
    }

    [Fact]
    public async Task Promote_OutsideIsr_RefusedUnlessUnclean_UncleanLoggedAndCounted()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var directory = new TempDirectory();
        var logs = new CapturingLoggerFactory();
        await using StaticControlPlane standby = await StartAsync(Options(directory.Path, 2, logs), ct);
        var tp = new TopicPartition("orders", 0);
        PartitionState start = standby.Metadata.Partitions[tp];
        PartitionState shrunk = await standby.AlterIsrAsync(tp, start.LeaderEpoch, start.PartitionEpoch, [1], ct); // node 2 fell behind
        Assert.Equal([1], shrunk.Isr);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await standby.PromoteAsync(tp, cancellationToken: ct));
        Assert.Equal(1, standby.Metadata.Partitions[tp].Leader);

        using var unclean = new CounterProbe(standby.Meter, "commitlog.controller.unclean_leader_elections");
        ClusterMetadata after = await standby.PromoteAsync(tp, allowUnclean: true, ct);

        PartitionState state = after.Partitions[tp];
        Assert.Equal((2, start.LeaderEpoch + 1), (state.Leader, state.LeaderEpoch));
        Assert.Equal([2], state.Isr);
        Assert.Equal(1, unclean.Total);
        Assert.Contains(logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("UNCLEAN leader election for orders-0", StringComparison.Ordinal)
            && l.Message.Contains("last ISR 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Promote_PartitionNotReplicatedHere_Throws()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var directory = new TempDirectory();
        StaticControlPlaneOptions options = Options(directory.Path, 2);
        var three = new StaticControlPlaneOptions
        {
            NodeId = 2,
            Nodes = new Dictionary<int, string>(options.Nodes) { [3] = "third:9093" },
            Topics = [new StaticTopicAssignment(Orders with { Name = "other" }, [[1, 3], [3, 1]])],
            DataDirectory = directory.Path,
        };
        await using StaticControlPlane plane = await StartAsync(three, ct);

        await Assert.ThrowsAsync<ArgumentException>(async () => await plane.PromoteAsync(new TopicPartition("other", 0), cancellationToken: ct));
        await Assert.ThrowsAsync<ArgumentException>(async () => await plane.PromoteAsync(new TopicPartition("missing", 0), cancellationToken: ct));
        Assert.Equal(1, plane.Metadata.Partitions[new TopicPartition("other", 0)].Leader);
    }

    [Fact]
    public async Task StateFile_CorruptOrLeftoverTemp_HandledClearly()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var directory = new TempDirectory();
        await (await StartAsync(Options(directory.Path, 1), ct)).DisposeAsync();
        string file = Path.Combine(directory.Path, "control-metadata.bin");

        await File.WriteAllTextAsync(file + ".tmp", "half-written", ct); // a crash between write and rename
        await using (StaticControlPlane reopened = await StartAsync(Options(directory.Path, 1), ct))
        {
            Assert.Equal(2, reopened.Metadata.Partitions.Count);
        }

        byte[] image = await File.ReadAllBytesAsync(file, ct);
        image[image.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(file, image, ct);
        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await StartAsync(Options(directory.Path, 1), ct));
        Assert.Contains("control-metadata.bin", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_Invalid_ClearErrors()
    {
        using var directory = new TempDirectory();
        StaticControlPlaneOptions good = Options(directory.Path, 1);
        Assert.Throws<ArgumentException>(() => new StaticControlPlane(new StaticControlPlaneOptions { NodeId = 7, Nodes = good.Nodes, DataDirectory = directory.Path }));
        var badTopic = new StaticControlPlaneOptions
        {
            NodeId = 1,
            Nodes = good.Nodes,
            Topics = [new StaticTopicAssignment(Orders, [[1, 5], [2, 1]])],
            DataDirectory = directory.Path,
        };
        Assert.Contains("node 5", Assert.Throws<ArgumentException>(() => new StaticControlPlane(badTopic)).Message, StringComparison.Ordinal);
    }
}

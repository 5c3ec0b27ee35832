using CommitLog.Replication.Control;

namespace CommitLog.Replication.Tests.Control;

/// <summary>
/// The <see cref="IControlPlane"/> contract, run against each implementation: a three-node cluster whose nodes are
/// all registered and unfenced, seen from one node that is not a Raft controller.
/// </summary>
public abstract class ControlPlaneContractTests
{
    private static readonly ReplicatedTopic Events = new("events", 2, 3, 2, UncleanLeaderElection: false);

    /// <summary>Starts the plane under test; disposing the result stops everything.</summary>
    private protected abstract Task<(IControlPlane Plane, IAsyncDisposable Owner)> StartAsync(CancellationToken ct);

    [Fact]
    public async Task CreateTopic_FirstReplicaLeadsEpochZeroAllInIsr_VersionMovesForward()
    {
        CancellationToken ct = TcpTestKit.Timeout(20);
        (IControlPlane plane, IAsyncDisposable owner) = await StartAsync(ct);
        await using (owner)
        {
            long before = plane.Metadata.Version;
            ClusterMetadata created = await plane.CreateTopicAsync(Events, ct);

            Assert.True(created.Version > before);
            Assert.True(plane.Metadata.Version >= created.Version);
            Assert.Equal(Events, plane.Metadata.Topics["events"]);
            for (int p = 0; p < 2; p++)
            {
                PartitionState state = plane.Metadata.Partitions[new TopicPartition("events", p)];
                Assert.Equal(3, state.Replicas.Count);
                Assert.Equal(3, state.Replicas.Distinct().Count());
                Assert.Equal(state.Replicas[0], state.Leader);
                Assert.Equal(state.Replicas, state.Isr);
                Assert.Equal((0, 0), (state.LeaderEpoch, state.PartitionEpoch));
            }

            Assert.NotEqual(
                plane.Metadata.Partitions[new TopicPartition("events", 0)].Leader,
                plane.Metadata.Partitions[new TopicPartition("events", 1)].Leader);
        }
    }

    [Fact]
    public async Task CreateTopic_ExistingName_ThrowsAndKeepsTheTopic()
    {
        CancellationToken ct = TcpTestKit.Timeout(20);
        (IControlPlane plane, IAsyncDisposable owner) = await StartAsync(ct);
        await using (owner)
        {
            await plane.CreateTopicAsync(Events, ct);
            var again = Events with { PartitionCount = 5 };

            var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await plane.CreateTopicAsync(again, ct));

            Assert.Contains("events", error.Message, StringComparison.Ordinal);
            Assert.Equal(2, plane.Metadata.Topics["events"].PartitionCount);
        }
    }

    [Fact]
    public async Task AlterIsr_EpochsAndMembershipChecked()
    {
        CancellationToken ct = TcpTestKit.Timeout(20);
        (IControlPlane plane, IAsyncDisposable owner) = await StartAsync(ct);
        await using (owner)
        {
            ClusterMetadata created = await plane.CreateTopicAsync(Events, ct);
            var tp = new TopicPartition("events", 1);
            PartitionState start = created.Partitions[tp];
            int follower = start.Replicas[2];
            int[] shrunk = [.. start.Isr.Where(n => n != follower)];

            PartitionState staleLeader = await plane.AlterIsrAsync(tp, start.LeaderEpoch - 1, start.PartitionEpoch, shrunk, ct);
            PartitionState withoutLeader = await plane.AlterIsrAsync(tp, start.LeaderEpoch, start.PartitionEpoch, [follower], ct);
            PartitionState notReplica = await plane.AlterIsrAsync(tp, start.LeaderEpoch, start.PartitionEpoch, [start.Leader, 99], ct);
            Assert.All([staleLeader, withoutLeader, notReplica], s => Assert.Equal((start.PartitionEpoch, start.Isr.Count), (s.PartitionEpoch, s.Isr.Count)));

            PartitionState shrinked = await plane.AlterIsrAsync(tp, start.LeaderEpoch, start.PartitionEpoch, shrunk, ct);
            Assert.Equal(shrunk, shrinked.Isr);
            Assert.Equal(start.PartitionEpoch + 1, shrinked.PartitionEpoch);

            PartitionState stalePartitionEpoch = await plane.AlterIsrAsync(tp, start.LeaderEpoch, start.PartitionEpoch, start.Replicas, ct);
            Assert.Equal(shrunk, stalePartitionEpoch.Isr);

            PartitionState expanded = await plane.AlterIsrAsync(tp, shrinked.LeaderEpoch, shrinked.PartitionEpoch, start.Replicas, ct);
            Assert.Equal(start.Replicas, expanded.Isr);
            Assert.Equal(start.PartitionEpoch + 2, expanded.PartitionEpoch);
            Assert.Equal(expanded.Isr, plane.Metadata.Partitions[tp].Isr);

            await Assert.ThrowsAsync<ArgumentException>(async () =>
                await plane.AlterIsrAsync(new TopicPartition("missing", 0), 0, 0, [0], ct));
        }
    }

    [Fact]
    public async Task WaitForChange_CompletesOnlyAfterANewerVersion()
    {
        CancellationToken ct = TcpTestKit.Timeout(20);
        (IControlPlane plane, IAsyncDisposable owner) = await StartAsync(ct);
        await using (owner)
        {
            long version = plane.Metadata.Version;
            Assert.Equal(version, (await plane.WaitForChangeAsync(version - 1, ct)).Version);
            Task<ClusterMetadata> waiting = plane.WaitForChangeAsync(version, ct).AsTask();
            await Task.Delay(100, ct);
            Assert.False(waiting.IsCompleted);

            await plane.CreateTopicAsync(Events, ct);

            ClusterMetadata changed = await waiting.WaitAsync(ct);
            Assert.True(changed.Version > version);
            Assert.True(plane.Metadata.Version >= changed.Version);
        }
    }
}

using CommitLog.Replication.Control;
using FsCheck.Xunit;

namespace CommitLog.Replication.Tests.Control;

/// <summary>
/// Random histories of fences, unfences, ISR changes (stale ones included) and promotions: the rules Kafka's
/// controller keeps hold after every command.
/// </summary>
public sealed class ClusterMetadataInvariantTests
{
    [Property(MaxTest = 300)]
    public void Apply_RandomHistory_LeadersComeFromIsrAndEpochsOnlyGrow(int seed, bool unclean)
    {
        var random = new Random(seed);
        var metadata = ClusterMetadataStateTests.ThreeNodesWithTopic(unclean, partitions: 3);
        for (var step = 0; step < 60; step++)
        {
            var command = RandomCommand(random, metadata);
            var change = ClusterMetadataState.Apply(metadata, command);
            Assert.Equal(Render(change.Metadata), Render(ClusterMetadataState.Apply(metadata, command).Metadata));
            if (!change.Accepted)
            {
                Assert.Same(metadata, change.Metadata);
                continue;
            }

            Assert.Equal(metadata.Version + 1, change.Metadata.Version);
            foreach (var (tp, after) in change.Metadata.Partitions)
            {
                var before = metadata.Partitions[tp];
                Check(change.Metadata, after);
                Assert.True(after.LeaderEpoch >= before.LeaderEpoch && after.PartitionEpoch >= before.PartitionEpoch);
                if (after.Leader != before.Leader)
                {
                    Assert.True(after.LeaderEpoch > before.LeaderEpoch);
                    var election = Assert.Single(change.Elections, e => e.TopicPartition == tp);
                    Assert.Equal(after.Leader, election.NewLeader);

                    // A clean election picks a member of the previous ISR, so it holds every record below the HW.
                    Assert.True(election.Unclean || after.Leader == PartitionState.NoLeader || before.Isr.Contains(after.Leader),
                        $"seed {seed}: node {after.Leader} led partition {tp} without being in the ISR [{string.Join(", ", before.Isr)}]");
                    Assert.True(!election.Unclean || unclean || command is ElectLeader { AllowUnclean: true });
                }

                if (!after.Isr.SequenceEqual(before.Isr) || after.Leader != before.Leader)
                {
                    Assert.True(after.PartitionEpoch > before.PartitionEpoch);
                }
            }

            metadata = change.Metadata;
        }
    }

    /// <summary>The metadata as text, sorted, so two versions compare by content.</summary>
    internal static string Render(ClusterMetadata metadata)
        => $"v{metadata.Version} c{metadata.ControllerId} "
            + string.Join(";", metadata.Brokers.Values.OrderBy(b => b.NodeId).Select(b => $"{b.NodeId}@{b.Address}{(b.IsFenced ? "!" : "")}"))
            + " | " + string.Join(";", metadata.Partitions.Values.OrderBy(s => s.Topic, StringComparer.Ordinal).ThenBy(s => s.Partition)
                .Select(s => $"{s.Topic}-{s.Partition} r[{string.Join(",", s.Replicas)}] i[{string.Join(",", s.Isr)}] l{s.Leader} e{s.LeaderEpoch} p{s.PartitionEpoch}"));

    private static void Check(ClusterMetadata metadata, PartitionState state)
    {
        Assert.NotEmpty(state.Isr);
        Assert.All(state.Isr, id => Assert.Contains(id, state.Replicas));
        Assert.Equal(state.Isr.Count, state.Isr.Distinct().Count());
        if (state.Leader != PartitionState.NoLeader)
        {
            Assert.Contains(state.Leader, state.Isr);
            Assert.False(metadata.Brokers[state.Leader].IsFenced);
        }
    }

    private static MetadataCommand RandomCommand(Random random, ClusterMetadata metadata)
    {
        var node = random.Next(1, 5);
        var tp = new TopicPartition("orders", random.Next(3));
        var state = metadata.Partitions[tp];
        return random.Next(6) switch
        {
            0 => new FenceBroker(node),
            1 => new UnfenceBroker(node),
            2 or 3 => new AlterIsr(tp, state.LeaderEpoch - random.Next(2), state.PartitionEpoch - random.Next(2),
                [.. state.Replicas.Where(id => id == state.Leader || random.Next(2) == 0)]),
            4 => new ElectLeader(tp, node, AllowUnclean: random.Next(4) == 0),
            _ => new RegisterBroker(node, $"n{node}:1"),
        };
    }
}

using CommitLog.Replication.Protocol;

namespace CommitLog.Replication.Tests.Protocol;

/// <summary>Seeded garbage into a leader and a follower: stale epochs, offsets out of range, corrupt records. No exception, nothing appended.</summary>
public sealed class ReplicaFuzzTests
{
    private static readonly TopicPartition Tp = ReplicaTestCluster.Tp;

    [Fact]
    public void Receive_RandomFetchesProducesAndResponses_NoCrashNothingAppended()
    {
        using var cluster = new ReplicaTestCluster(1, 2);
        cluster.SetMetadata(leader: 1, leaderEpoch: 3, isr: [1, 2], partitionEpoch: 0, minIsr: 1);
        cluster.Produce(1, ReplicaTestCluster.Batch(0, "seed"));
        Assert.Equal(1, cluster.Log(2).LogEndOffset);
        var random = new Random(5);
        byte[] valid;
        using (var builder = new CommitLog.Storage.RecordBatchBuilder { BaseOffset = 1, PartitionLeaderEpoch = 3 })
        {
            builder.Append(1_700_000_000_000, null, [1, 2, 3]);
            valid = builder.ToArray();
        }

        for (var i = 0; i < 2_000; i++)
        {
            var records = Garbage(random, valid);

            // Into the leader: fetches with any epoch, offset, last epoch and size; produces with broken batches.
            cluster.Nodes[1].Receive(2, new FetchRequest(i, random.Next(0, 4), [new FetchPartitionRequest(
                Tp.Topic, random.Next(0, 2), random.Next(-2, 6), random.NextInt64(-5, 10), random.Next(-2, 6), random.NextInt64(-1, 3), random.Next(-1, 5000))]), 0);
            cluster.Nodes[1].Receive(ReplicaTestCluster.Producer, new ProduceRequest(i, Tp.Topic, 0, (short)random.Next(-2, 3), 0, records), 0);

            // Into the follower: an answer to its outstanding fetch carrying garbage, or a diverging epoch beyond its log.
            // Time moves on (3 s a step), so an earlier fetch left unanswered is given up and a new one sent.
            cluster.Nodes[2].Tick(i * 3_000L);
            foreach (var fetch in cluster.Nodes[2].TakeMessages().Select(m => m.Message).OfType<FetchRequest>())
            {
                cluster.Nodes[2].Receive(1, new FetchResponse(fetch.CorrelationId, [new FetchPartitionResponse(
                    Tp.Topic, 0, ReplicationErrorCode.None, random.NextInt64(-1, 5), 0, -1, -1, records)]), i * 3_000L);
            }

            foreach (var response in cluster.Nodes[1].TakeMessages().Select(m => m.Message).OfType<ProduceResponse>())
            {
                Assert.NotEqual(ReplicationErrorCode.None, response.Error);
            }
        }

        Assert.Equal(1, cluster.Log(1).LogEndOffset);
        Assert.Equal(1, cluster.Log(2).LogEndOffset);
        Assert.True(cluster.Nodes[2].Followers[Tp].RejectedResponses > 0);
    }

    [Fact]
    public void Metrics_IsrShrinkAndUnderReplicated_Reported()
    {
        using var cluster = new ReplicaTestCluster(1, 2, 3);
        using var shrinks = new CounterProbe(cluster.Nodes[1].Metrics.Meter, "commitlog.replication.isr.shrinks");
        using var fetches = new CounterProbe(cluster.Nodes[1].Metrics.Meter, "commitlog.replication.requests");
        cluster.SetMetadata(leader: 1, leaderEpoch: 0, isr: [1, 2, 3], partitionEpoch: 0);
        cluster.Pump();
        Assert.Equal(0, cluster.Nodes[1].Metrics.UnderReplicatedPartitions);
        Assert.True(fetches.Total >= 2);
        cluster.SetMetadata(leader: 1, leaderEpoch: 0, isr: [1, 2], partitionEpoch: 1);
        Assert.Equal(1, shrinks.Total);
        Assert.Equal(1, cluster.Nodes[1].Metrics.UnderReplicatedPartitions);
    }

    /// <summary>Random bytes, a valid batch with one byte flipped, a truncated batch, or nothing.</summary>
    private static byte[] Garbage(Random random, byte[] valid)
    {
        switch (random.Next(4))
        {
            case 0:
                var bytes = new byte[random.Next(0, 200)];
                random.NextBytes(bytes);
                return bytes;
            case 1:
                var flipped = (byte[])valid.Clone();
                flipped[random.Next(21, flipped.Length)] ^= (byte)(1 << random.Next(8));
                return flipped;
            case 2:
                return valid[..random.Next(0, valid.Length)];
            default:
                return [];
        }
    }
}

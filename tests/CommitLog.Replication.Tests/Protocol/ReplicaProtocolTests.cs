using CommitLog.Replication.Protocol;

namespace CommitLog.Replication.Tests.Protocol;

/// <summary>Targeted cases of the replication protocol on real logs: min ISR, acks=all, dedup after failover, KIP-101's two scenarios.</summary>
public sealed class ReplicaProtocolTests
{
    private static readonly TopicPartition Tp = ReplicaTestCluster.Tp;

    [Fact]
    public void Produce_IsrBelowMinInsync_NotEnoughReplicasAndNothingAppended()
    {
        using var cluster = new ReplicaTestCluster(1, 2, 3);
        cluster.SetMetadata(leader: 1, leaderEpoch: 0, isr: [1], partitionEpoch: 3);
        cluster.Produce(1, ReplicaTestCluster.Batch(0, "a"));
        Assert.Equal(ReplicationErrorCode.NotEnoughReplicas, Assert.Single(cluster.Responses).Error);
        Assert.Equal(0, cluster.Log(1).LogEndOffset);
    }

    [Fact]
    public void Produce_AcksAll_AnsweredOnlyOnceEveryIsrMemberHasIt()
    {
        using var cluster = new ReplicaTestCluster(1, 2, 3);
        cluster.SetMetadata(leader: 1, leaderEpoch: 0, isr: [1, 2, 3], partitionEpoch: 0);
        cluster.Down.Add(3);
        cluster.Produce(1, ReplicaTestCluster.Batch(0, ["a", "b"]));
        Assert.Empty(cluster.Responses);
        Assert.Equal(0, cluster.Log(1).HighWatermark);
        Assert.Equal(2, cluster.Log(2).LogEndOffset);

        cluster.Down.Remove(3);
        cluster.Pump();
        var response = Assert.Single(cluster.Responses);
        Assert.Equal(ReplicationErrorCode.None, response.Error);
        Assert.Equal(0, response.BaseOffset);
        Assert.Equal(2, cluster.Log(1).HighWatermark);
    }

    [Fact]
    public void Produce_LaggingFollowerLeavesIsr_AfterReplicaLagTimeMax()
    {
        using var cluster = new ReplicaTestCluster(1, 2, 3);
        cluster.SetMetadata(leader: 1, leaderEpoch: 0, isr: [1, 2, 3], partitionEpoch: 0);
        cluster.Down.Add(3);
        cluster.Produce(1, ReplicaTestCluster.Batch(0, "a"));
        cluster.Now = 500;
        cluster.Pump();
        Assert.Empty(cluster.Nodes[1].TakeAlterIsrRequests());
        cluster.Now = 1_001;
        cluster.Pump();
        var request = Assert.Single(cluster.Nodes[1].TakeAlterIsrRequests());
        Assert.Equal([1, 2], request.Isr);
        Assert.Equal(0, request.PartitionEpoch);

        // Until the controller commits the shrink, node 3 still counts: the write stays unacknowledged.
        Assert.Empty(cluster.Responses);
        cluster.SetMetadata(leader: 1, leaderEpoch: 0, isr: [1, 2], partitionEpoch: 1);
        Assert.Empty(cluster.Responses);
        cluster.Pump();
        Assert.Equal(ReplicationErrorCode.None, Assert.Single(cluster.Responses).Error);
    }

    [Fact]
    public void Produce_RetryAfterFailover_DeduplicatedWithOriginalOffsets()
    {
        using var cluster = new ReplicaTestCluster(1, 2, 3);
        cluster.SetMetadata(leader: 1, leaderEpoch: 0, isr: [1, 2, 3], partitionEpoch: 0);
        cluster.Produce(1, ReplicaTestCluster.Batch(0, "x"));
        var batch = ReplicaTestCluster.Batch(1, ["a", "b"]);
        cluster.Produce(1, batch, correlation: 2);
        Assert.Equal(2, cluster.Responses.Count);

        // The acknowledgement was lost; the leader dies; the producer retries the same batch on the new leader.
        cluster.Down.Add(1);
        cluster.SetMetadata(leader: 2, leaderEpoch: 1, isr: [2, 3], partitionEpoch: 1);
        cluster.Produce(2, batch, correlation: 3);
        var retry = cluster.Responses[^1];
        Assert.Equal(ReplicationErrorCode.None, retry.Error);
        Assert.Equal(1, retry.BaseOffset);
        Assert.Equal(3, cluster.Log(2).LogEndOffset);
        Assert.Equal(["x", "a", "b"], cluster.Records(2).Select(r => r.Value));
    }

    [Fact]
    public void Failover_OldLeaderWithDivergentTail_TruncatesToNewLeadersEpochAndCopies()
    {
        using var cluster = new ReplicaTestCluster(1, 2, 3);
        cluster.SetMetadata(leader: 1, leaderEpoch: 0, isr: [1, 2, 3], partitionEpoch: 0);
        cluster.Produce(1, ReplicaTestCluster.Batch(0, "committed"));

        // Node 1 appends a tail no follower sees, then is cut off; node 2 leads epoch 1 and writes something else.
        cluster.Down.Add(2);
        cluster.Down.Add(3);
        cluster.Produce(1, ReplicaTestCluster.Batch(1, ["lost-1", "lost-2"]), correlation: 2);
        Assert.Equal(3, cluster.Log(1).LogEndOffset);
        cluster.Down.Clear();
        cluster.Down.Add(1);
        cluster.SetMetadata(leader: 2, leaderEpoch: 1, isr: [2, 3], partitionEpoch: 1);
        cluster.Produce(2, ReplicaTestCluster.Batch(0, "new", producerId: 8), correlation: 3);
        Assert.Equal(2, cluster.Log(2).HighWatermark);

        // Node 1 comes back as a follower: the divergence check cuts its epoch-0 tail at offset 1, not at its HW.
        cluster.Down.Clear();
        cluster.SetMetadata(leader: 2, leaderEpoch: 1, isr: [2, 3], partitionEpoch: 1);
        cluster.Pump();
        Assert.Equal(["committed", "new"], cluster.Records(1).Select(r => r.Value));
        Assert.Equal(cluster.Records(2), cluster.Records(1));
        Assert.Equal(1, cluster.Nodes[1].Followers[Tp].Truncations);
    }

    [Fact]
    public void BackToBackFailover_RestartedFollowerKeepsTailAboveItsHighWatermark()
    {
        // KIP-101 scenario 1: a follower restarts with its HW behind its log end. Truncating to its HW and then
        // becoming leader would lose an acknowledged record; with epochs it keeps its log and nothing is lost.
        using var cluster = new ReplicaTestCluster(1, 2);
        cluster.SetMetadata(leader: 1, leaderEpoch: 0, isr: [1, 2], partitionEpoch: 0, minIsr: 1);
        cluster.Nodes[1].Receive(ReplicaTestCluster.Producer, new ProduceRequest(1, Tp.Topic, 0, ProduceRequest.AcksAll, 30_000,
            ReplicaTestCluster.Batch(0, "m1")), cluster.Now);
        cluster.Nodes[1].Tick(cluster.Now);
        cluster.Nodes[2].Tick(cluster.Now);
        var fetch = Assert.Single(cluster.Nodes[2].TakeMessages());
        cluster.Nodes[1].Receive(2, fetch.Message, cluster.Now);
        var data = cluster.Nodes[1].TakeMessages().Single(m => m.To == 2);
        cluster.Nodes[2].Receive(1, data.Message, cluster.Now);
        Assert.Equal(1, cluster.Log(2).LogEndOffset);
        Assert.Equal(0, cluster.Log(2).HighWatermark);

        // The follower's next fetch moves the leader's HW (the record is acknowledged), but the answer is lost.
        cluster.Nodes[2].Tick(cluster.Now);
        cluster.Nodes[1].Receive(2, Assert.Single(cluster.Nodes[2].TakeMessages()).Message, cluster.Now);
        var acked = cluster.Nodes[1].TakeMessages().Select(m => m.Message).OfType<ProduceResponse>().Single();
        Assert.Equal(ReplicationErrorCode.None, acked.Error);

        // The follower restarts (HW 0 < LEO 1), the leader dies, the follower is elected.
        cluster.Crash(2);
        cluster.Start(2);
        cluster.Down.Add(1);
        cluster.SetMetadata(leader: 2, leaderEpoch: 1, isr: [2], partitionEpoch: 1, minIsr: 1);
        Assert.Equal(["m1"], cluster.Records(2).Select(r => r.Value));
    }

    [Fact]
    public void Follower_LeaderLogStartsAfterItsEnd_ResetsToLeaderStartAndCopies()
    {
        using var cluster = new ReplicaTestCluster(1, 2);
        cluster.Down.Add(2);
        cluster.SetMetadata(leader: 1, leaderEpoch: 0, isr: [1], partitionEpoch: 0, minIsr: 1);
        for (var i = 0; i < 3; i++)
        {
            cluster.Produce(1, ReplicaTestCluster.Batch(i, $"v{i}"), correlation: i);
        }

        cluster.StorageLog(1).DeleteRecordsBefore(2);
        Assert.Equal(2, cluster.Log(1).LogStartOffset);

        // A new, empty replica: its fetch at 0 is below the leader's log start, so it restarts its log there.
        cluster.Down.Clear();
        cluster.SetMetadata(leader: 1, leaderEpoch: 0, isr: [1], partitionEpoch: 0, minIsr: 1);
        cluster.Pump();
        Assert.Equal(2, cluster.Log(2).LogStartOffset);
        Assert.Equal([(2L, "v2")], cluster.Records(2));
        Assert.Equal(3, cluster.Log(2).HighWatermark);
    }

    [Fact]
    public void Fetch_StaleOrNewerEpoch_FencedOrUnknown()
    {
        using var cluster = new ReplicaTestCluster(1, 2);
        cluster.SetMetadata(leader: 1, leaderEpoch: 5, isr: [1, 2], partitionEpoch: 0);
        foreach (var (epoch, expected) in new[] { (4, ReplicationErrorCode.FencedLeaderEpoch), (6, ReplicationErrorCode.UnknownLeaderEpoch) })
        {
            cluster.Nodes[1].Receive(2, new FetchRequest(9, 2, [new FetchPartitionRequest(Tp.Topic, 0, epoch, 0, -1, 0, 1024)]), 0);
            var response = Assert.IsType<FetchResponse>(Assert.Single(cluster.Nodes[1].TakeMessages()).Message);
            Assert.Equal(expected, Assert.Single(response.Partitions).Error);
        }

        cluster.Nodes[1].Receive(2, new FetchRequest(9, 2, [new FetchPartitionRequest(Tp.Topic, 0, 5, 10, -1, 0, 1024)]), 0);
        var outOfRange = Assert.IsType<FetchResponse>(Assert.Single(cluster.Nodes[1].TakeMessages()).Message);
        Assert.Equal(ReplicationErrorCode.OffsetOutOfRange, Assert.Single(outOfRange.Partitions).Error);
    }
}

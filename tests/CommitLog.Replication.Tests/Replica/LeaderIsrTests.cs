using CommitLog.Replication.Control;
using CommitLog.Replication.Protocol;
using CommitLog.Replication.Tests.Protocol;

namespace CommitLog.Replication.Tests.Replica;

/// <summary>
/// The leader's ISR bookkeeping when its followers stop: a late (parked) fetch from a follower that is gone must not
/// hold the high watermark below the log end, and a refused or lost ISR change must stop counting the member it added.
/// </summary>
public sealed class LeaderIsrTests
{
    private static readonly TopicPartition Tp = ReplicaTestCluster.Tp;

    [Fact]
    public void LeaderAlone_LateFetchFromFencedFollower_HighWatermarkReachesLogEnd()
    {
        using var cluster = new ReplicaTestCluster(1, 2, 3);
        var late = LeaderLeftAlone(cluster, fenced: [2, 3]);
        // The fetch node 2 sent just before it stopped (parked on the leader) is handled only now.
        cluster.Nodes[1].Receive(2, late, cluster.Now);
        Assert.Empty(cluster.Nodes[1].TakeAlterIsrRequests()); // a fenced replica is not eligible for the ISR (KIP-841)

        cluster.Produce(1, ReplicaTestCluster.Batch(1, "b"), correlation: 2);
        Assert.Equal(ReplicationErrorCode.None, cluster.Responses[^1].Error);
        Assert.Equal(2, cluster.Responses.Count);
        Assert.Equal(cluster.Log(1).LogEndOffset, cluster.Log(1).HighWatermark);
    }

    [Fact]
    public void LeaderAlone_LateFetchThenRefusedExpansion_HighWatermarkReachesLogEnd()
    {
        using var cluster = new ReplicaTestCluster(1, 2, 3);
        // The leader has not heard of the fence yet: the late fetch makes it propose node 2 back.
        var late = LeaderLeftAlone(cluster, fenced: []);
        cluster.Nodes[1].Receive(2, late, cluster.Now);
        var expansion = Assert.Single(cluster.Nodes[1].TakeAlterIsrRequests());
        Assert.Equal([1, 2], expansion.Isr);

        // While the expansion is pending, node 2 counts (Kafka's maximal ISR): a write waits for it.
        cluster.Produce(1, ReplicaTestCluster.Batch(1, "b"), correlation: 2);
        Assert.Single(cluster.Responses);
        Assert.Equal(1, cluster.Log(1).HighWatermark);

        // The controller refuses it (node 2 is fenced there): the leader falls back to its committed ISR at once.
        cluster.Nodes[1].IsrChangeRefused(expansion, cluster.Now);
        cluster.Pump();
        Assert.Equal(ReplicationErrorCode.None, cluster.Responses[^1].Error);
        Assert.Equal(2, cluster.Log(1).HighWatermark);
        Assert.Empty(cluster.Nodes[1].TakeAlterIsrRequests());
    }

    [Fact]
    public void LeaderAlone_LateFetchThenUnansweredExpansion_ResentAndCountedUntilRefused()
    {
        using var cluster = new ReplicaTestCluster(1, 2, 3);
        var late = LeaderLeftAlone(cluster, fenced: []);
        cluster.Nodes[1].Receive(2, late, cluster.Now);
        cluster.Produce(1, ReplicaTestCluster.Batch(1, "b"), correlation: 2);
        Assert.Single(cluster.Responses);
        var expansion = Assert.Single(cluster.Nodes[1].TakeAlterIsrRequests());

        // No answer comes back for a long time (lost, or the control plane unreachable). The change may still be
        // committed, so it is never dropped: it is sent again, and node 2 keeps holding the high watermark back (if it
        // joined the ISR behind the leader's back and were elected, "b" would be lost). Node 2 never fetches again.
        var resent = 0;
        var start = cluster.Now;
        while (cluster.Now - start < 10_000)
        {
            cluster.Now += 100;
            cluster.Pump();
            foreach (var request in cluster.Nodes[1].TakeAlterIsrRequests())
            {
                Assert.Equal(expansion, request);
                resent++;
            }
        }

        Assert.InRange(resent, 1, 100);
        Assert.Single(cluster.Responses);
        Assert.Equal(1, cluster.Log(1).HighWatermark);

        // The control plane's answer comes: refused (node 2 is fenced there). Now the high watermark moves on.
        cluster.Nodes[1].IsrChangeRefused(expansion, cluster.Now);
        cluster.Pump();
        Assert.Equal(ReplicationErrorCode.None, cluster.Responses[^1].Error);
        Assert.Equal(2, cluster.Responses.Count);
        Assert.Equal(2, cluster.Log(1).HighWatermark);
        Assert.Empty(cluster.Nodes[1].TakeAlterIsrRequests()); // node 2's progress is too old to propose it again
    }

    [Fact]
    public void ExpansionCommittedAfterItsAnswerWasLost_NewMemberHoldsEveryAcknowledgedRecord()
    {
        using var cluster = new ReplicaTestCluster(1, 2, 3);
        cluster.SetMetadata(leader: 1, leaderEpoch: 0, isr: [1, 3], partitionEpoch: 0, minIsr: 1);
        cluster.Down.Add(2);
        cluster.Produce(1, ReplicaTestCluster.Batch(0, "a"));
        cluster.Down.Remove(2);
        cluster.Pump();
        var expansion = Assert.Single(cluster.Nodes[1].TakeAlterIsrRequests());
        Assert.Equal([1, 3, 2], expansion.Isr);

        // Node 2 is cut off; the leader's expansion goes unanswered for longer than the ISR change timeout while "b"
        // is produced and node 3 copies it.
        cluster.Down.Add(2);
        cluster.Produce(1, ReplicaTestCluster.Batch(1, "b"), correlation: 2);
        for (var i = 0; i < 50; i++)
        {
            cluster.Now += 100;
            cluster.Pump();
        }

        // The control plane commits the (re-sent) expansion after all: node 2 is an ISR member. "b" must not have
        // been acknowledged, since node 2 does not have it and may now be elected.
        Assert.DoesNotContain(cluster.Responses, r => r.CorrelationId == 2 && r.Error == ReplicationErrorCode.None);
        Assert.True(cluster.Log(1).HighWatermark <= cluster.Log(2).LogEndOffset,
            $"The leader's high watermark {cluster.Log(1).HighWatermark} passed the new ISR member's log end {cluster.Log(2).LogEndOffset}.");
    }

    [Fact]
    public void PendingExpansion_CountsForHighWatermarkUntilRefused()
    {
        using var cluster = new ReplicaTestCluster(1, 2, 3);
        cluster.SetMetadata(leader: 1, leaderEpoch: 0, isr: [1, 3], partitionEpoch: 0, minIsr: 1);
        cluster.Down.Add(3);
        Apply(cluster, version: 100, isr: [1], partitionEpoch: 1, fenced: [3]);
        cluster.Down.Add(2);
        cluster.Produce(1, ReplicaTestCluster.Batch(0, "a"));
        Assert.Equal(1, cluster.Log(1).HighWatermark);

        // Node 2 catches up and is proposed; a write after the proposal must wait for it: if the expansion commits,
        // node 2 is an ISR member that could be elected, so it must hold everything below the high watermark.
        cluster.Down.Remove(2);
        cluster.Pump();
        var expansion = Assert.Single(cluster.Nodes[1].TakeAlterIsrRequests());
        Assert.Equal([1, 2], expansion.Isr);
        cluster.Down.Add(2);
        cluster.Produce(1, ReplicaTestCluster.Batch(1, "b"), correlation: 2);
        Assert.Equal(1, cluster.Log(1).HighWatermark);
        Assert.Single(cluster.Responses);

        cluster.Nodes[1].IsrChangeRefused(expansion, cluster.Now);
        Assert.Equal(2, cluster.Log(1).HighWatermark);
        cluster.Pump();
        Assert.Equal(2, cluster.Responses.Count);
    }

    [Fact]
    public void IsrChangeRefused_NotTheInFlightRequest_Ignored()
    {
        using var cluster = new ReplicaTestCluster(1, 2, 3);
        cluster.SetMetadata(leader: 1, leaderEpoch: 0, isr: [1, 3], partitionEpoch: 0, minIsr: 1);
        cluster.Down.Add(3);
        Apply(cluster, version: 100, isr: [1], partitionEpoch: 1, fenced: [3]);
        cluster.Pump();
        var expansion = Assert.Single(cluster.Nodes[1].TakeAlterIsrRequests());
        cluster.Down.Add(2);

        // An older answer about another request must not drop the one in flight.
        cluster.Nodes[1].IsrChangeRefused(expansion with { Isr = [1, 2] }, cluster.Now);
        cluster.Produce(1, ReplicaTestCluster.Batch(0, "a"));
        Assert.Equal(0, cluster.Log(1).HighWatermark);
        Assert.Empty(cluster.Responses);
    }

    /// <summary>
    /// Three replicas with "a" committed; both followers stop moments apart and the controller leaves the leader alone
    /// in its ISR (fencing <paramref name="fenced"/>). Returns the fetch node 2 sent just before it stopped, which the
    /// leader held (long poll) and has not handled yet.
    /// </summary>
    private static FetchRequest LeaderLeftAlone(ReplicaTestCluster cluster, int[] fenced)
    {
        cluster.SetMetadata(leader: 1, leaderEpoch: 0, isr: [1, 2, 3], partitionEpoch: 0, minIsr: 1);
        cluster.Produce(1, ReplicaTestCluster.Batch(0, "a"));
        Assert.Equal(ReplicationErrorCode.None, Assert.Single(cluster.Responses).Error);
        var late = CaughtUpFetch(cluster, 2);
        cluster.Down.UnionWith([2, 3]);
        Apply(cluster, version: 100, isr: [1], partitionEpoch: 1, fenced: fenced);
        return late;
    }

    /// <summary>Lets node <paramref name="node"/> catch up and returns the next fetch it sends (at the leader's log end).</summary>
    private static FetchRequest CaughtUpFetch(ReplicaTestCluster cluster, int node)
    {
        cluster.Pump();
        // Deliver the leader's last answers, so the follower has no fetch outstanding and sends a new one.
        foreach (var message in cluster.Nodes[1].TakeMessages())
        {
            if (message.To == ReplicaTestCluster.Producer)
            {
                cluster.Responses.Add((ProduceResponse)message.Message);
            }
            else
            {
                cluster.Nodes[message.To].Receive(1, message.Message, cluster.Now);
            }
        }

        cluster.Now += 1;
        cluster.Nodes[node].Tick(cluster.Now);
        var fetch = cluster.Nodes[node].TakeMessages().Select(m => m.Message).OfType<FetchRequest>().Single();
        Assert.Equal(cluster.Log(1).LogEndOffset, fetch.Partitions[0].FetchOffset);
        return fetch;
    }

    /// <summary>Applies metadata to the up nodes with some brokers fenced (ReplicaTestCluster.SetMetadata fences none).</summary>
    private static void Apply(ReplicaTestCluster cluster, long version, int[] isr, int partitionEpoch, int[] fenced)
    {
        int[] replicas = [1, 2, 3];
        var state = new PartitionState(Tp.Topic, Tp.Partition, replicas, isr, 1, 0, partitionEpoch);
        var metadata = new ClusterMetadata(version, -1,
            replicas.ToDictionary(r => r, r => new BrokerRegistration(r, $"n{r}", fenced.Contains(r))),
            new Dictionary<string, ReplicatedTopic> { [Tp.Topic] = new(Tp.Topic, 1, replicas.Length, 1, false) },
            new Dictionary<TopicPartition, PartitionState> { [Tp] = state });
        foreach (var (id, node) in cluster.Nodes.Where(n => !cluster.Down.Contains(n.Key)))
        {
            node.ApplyMetadata(metadata, cluster.Now);
        }
    }
}

using CommitLog.Replication.Protocol;
using CommitLog.Replication.Tests.Protocol;

namespace CommitLog.Replication.Tests.Replica;

/// <summary>
/// A follower whose fetch never reached its new leader (no connection yet, or the connection closed with the fetch
/// outstanding) fetches again within milliseconds, not after the fetch timeout: after a failover, acks=all on the new
/// leader waits for exactly that fetch.
/// </summary>
public sealed class FollowerLostFetchTests
{
    [Fact]
    public void FetchNotSent_RetriedShortlyInsteadOfAfterFetchTimeout()
    {
        using var cluster = new ReplicaTestCluster(1, 2);
        cluster.SetMetadata(leader: 1, leaderEpoch: 0, isr: [1, 2], partitionEpoch: 0);
        var fetch = FirstFetch(cluster.Nodes[2], cluster.Now);

        // Outstanding and unanswered: no new fetch before the timeout (2 s)...
        Assert.Null(NextFetch(cluster.Nodes[2], cluster.Now + 1_000));

        // ...unless the host reports that it could not send it.
        cluster.Nodes[2].FetchNotSent(fetch, cluster.Now + 1_000);
        Assert.Null(NextFetch(cluster.Nodes[2], cluster.Now + 1_005));
        var retry = NextFetch(cluster.Nodes[2], cluster.Now + 1_030);
        Assert.NotNull(retry);
        Assert.NotEqual(fetch.CorrelationId, retry.CorrelationId);
    }

    [Fact]
    public void ConnectionLost_OnlyFollowersOfThatLeaderRetryShortly()
    {
        using var cluster = new ReplicaTestCluster(1, 2, 3);
        cluster.SetMetadata(leader: 1, leaderEpoch: 0, isr: [1, 2, 3], partitionEpoch: 0);
        FirstFetch(cluster.Nodes[2], cluster.Now);

        cluster.Nodes[2].ConnectionLost(3, cluster.Now + 500); // another peer: the fetch to node 1 is still outstanding
        Assert.Null(NextFetch(cluster.Nodes[2], cluster.Now + 600));

        cluster.Nodes[2].ConnectionLost(1, cluster.Now + 600);
        Assert.NotNull(NextFetch(cluster.Nodes[2], cluster.Now + 650));
    }

    [Fact]
    public void FetchNotSent_StaleCorrelation_Ignored()
    {
        using var cluster = new ReplicaTestCluster(1, 2);
        cluster.SetMetadata(leader: 1, leaderEpoch: 0, isr: [1, 2], partitionEpoch: 0);
        var stale = FirstFetch(cluster.Nodes[2], cluster.Now) with { CorrelationId = -5 };

        cluster.Nodes[2].FetchNotSent(stale, cluster.Now + 100);
        Assert.Null(NextFetch(cluster.Nodes[2], cluster.Now + 200));
    }

    private static FetchRequest FirstFetch(CommitLog.Replication.Replica.ReplicaNode node, long now)
        => NextFetch(node, now) ?? throw new InvalidOperationException("The follower sent no fetch.");

    private static FetchRequest? NextFetch(CommitLog.Replication.Replica.ReplicaNode node, long now)
    {
        node.Tick(now);
        return node.TakeMessages().Select(m => m.Message).OfType<FetchRequest>().SingleOrDefault();
    }
}

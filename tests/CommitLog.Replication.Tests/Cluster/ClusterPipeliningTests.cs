using System.Globalization;
using CommitLog.Storage;

namespace CommitLog.Replication.Tests.Cluster;

/// <summary>
/// An acks=all idempotent producer with five batches per partition in flight on a three-node cluster: on the leader's
/// node (appends go into the local leader one after another) and on a follower's node (forwarded over the ordered link
/// to the leader). Every record must be acknowledged once, reported in produce order, and stored once in that order on
/// every replica.
/// </summary>
public sealed class ClusterPipeliningTests
{
    private const int Records = 3000;
    private static readonly TopicPartition Orders = new("orders", 0);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, true)]
    [InlineData(true, false)]
    public async Task AcksAllProducer_FiveInFlight_EveryRecordOnceInOrderOnEveryReplica(bool tcp, bool onLeader)
    {
        await using var cluster = await TestCluster.StartAsync(3, tcp, Ct);
        await cluster.Node(0).CreateTopicAsync("orders", 1, 3, minInsyncReplicas: 2, cancellationToken: Ct);
        await cluster.WaitForTopicEverywhereAsync("orders", Ct);
        var leader = (await cluster.Node(0).WaitForLeaderAsync(Orders, Ct)).Leader;
        var node = onLeader ? leader : (leader + 1) % 3;
        var reports = new List<DeliveryReport<Null, string>>();
        await using (var producer = cluster.Node(node).Broker.CreateProducer<Null, string>(Config()))
        {
            for (var i = 0; i < Records; i++)
            {
                producer.Produce(Orders, new Message<Null, string> { Value = V(i) }, report =>
                {
                    lock (reports)
                    {
                        reports.Add(report);
                    }
                });
            }

            await producer.FlushAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(60), Ct);
        }

        Assert.All(reports, r => Assert.Null(r.Error));
        Assert.All(reports, r => Assert.Equal(Durability.Replicated, r.Durability));
        Assert.Equal(Enumerable.Range(0, Records).Select(V), reports.Select(r => r.Message.Value)); // reported in produce order
        Assert.Equal(Enumerable.Range(0, Records).Select(i => (long)i), reports.Select(r => r.Offset.Value));

        await cluster.WaitForReplicasInSyncAsync(Orders, TimeSpan.FromSeconds(10), Ct);
        var expected = Enumerable.Range(0, Records).Select(i => new KeyValuePair<long, string>(i, V(i))).ToList();
        for (var replica = 0; replica < 3; replica++)
        {
            Assert.Equal(expected, cluster.ReadReplica(replica, Orders));
        }
    }

    private static ProducerConfig Config() => new(new Dictionary<string, string>
    {
        ["acks"] = "all",
        ["enable.idempotence"] = "true",
        ["max.in.flight.requests.per.connection"] = "5",
        ["batch.size"] = "1024",
        ["linger.ms"] = "0",
        ["request.timeout.ms"] = "5000",
        ["delivery.timeout.ms"] = "60000",
    });

    private static string V(int i) => "record-" + i.ToString("D5", CultureInfo.InvariantCulture);
}

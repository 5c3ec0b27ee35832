using System.Globalization;
using CommitLog.Replication.Cluster;
using CommitLog.Replication.Control;
using CommitLog.Storage;

namespace CommitLog.Replication.Tests.Cluster;

/// <summary>Three cluster nodes in one process: acks=all through a follower, min.insync.replicas, leader failover.</summary>
public sealed class ClusterNodeTests
{
    private static readonly TopicPartition Orders = new("orders", 0);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AcksAllProducer_OnFollowerNode_EveryRecordOnAllReplicasOnce(bool tcp)
    {
        await using var cluster = await TestCluster.StartAsync(3, tcp, Ct);
        await cluster.Node(0).CreateTopicAsync("orders", 1, 3, minInsyncReplicas: 2, cancellationToken: Ct);
        await cluster.WaitForTopicEverywhereAsync("orders", Ct);
        var leader = (await cluster.Node(0).WaitForLeaderAsync(Orders, Ct)).Leader;
        var follower = (leader + 1) % 3;
        await using (var producer = cluster.Node(follower).Broker.CreateProducer<Null, string>(ProducerConfig()))
        {
            var sends = Enumerable.Range(0, 300).Select(i => producer.ProduceAsync("orders", new Message<Null, string> { Value = V(i) }, Ct).AsTask()).ToList();
            var results = await Task.WhenAll(sends);
            Assert.All(results, r => Assert.Equal(Durability.Replicated, r.Durability));
            var acked = results.ToDictionary(r => (long)r.Offset, r => r.Message.Value!);
            Assert.Equal(300, acked.Count);

            await cluster.WaitForReplicasInSyncAsync(Orders, TimeSpan.FromSeconds(10), Ct);
            for (var node = 0; node < 3; node++)
            {
                var replica = cluster.ReadReplica(node, Orders);
                Assert.Equal(acked.OrderBy(a => a.Key), replica.Select(r => new KeyValuePair<long, string>(r.Key, r.Value)));
            }
        }
    }

    [Fact]
    public async Task Consumer_FollowersCutOff_NeverSeesRecordsAboveHighWatermark()
    {
        await using var cluster = await TestCluster.StartAsync(3, tcp: false, Ct, lagTimeMax: TimeSpan.FromSeconds(30));
        await cluster.Node(0).CreateTopicAsync("orders", 1, 3, cancellationToken: Ct);
        await cluster.WaitForTopicEverywhereAsync("orders", Ct);
        var leader = (await cluster.Node(0).WaitForLeaderAsync(Orders, Ct)).Leader;
        await using var producer = cluster.Node(leader).Broker.CreateProducer<Null, string>(ProducerConfig());
        for (var i = 0; i < 10; i++)
        {
            await producer.ProduceAsync("orders", new Message<Null, string> { Value = V(i) }, Ct);
        }

        foreach (var other in Enumerable.Range(0, 3).Where(n => n != leader))
        {
            cluster.Network.Partition(Id(leader), Id(other));
        }

        // Appended on the leader, not acknowledged: no follower can copy it, so the high watermark stays at 10.
        var unacknowledged = producer.ProduceAsync("orders", new Message<Null, string> { Value = V(10) }, Ct).AsTask();
        Assert.True(cluster.Node(leader).Broker.TryGetPartitionLog(Orders, out var log));
        await WaitUntilAsync(() => log.LogEndOffset == 11, "the leader appends the record");
        await using var consumer = cluster.Node(leader).Broker.CreateConsumer<Null, string>(new ConsumerConfig(new Dictionary<string, string>
        {
            ["group.id"] = "hw-check", ["auto.offset.reset"] = "earliest", ["enable.auto.commit"] = "false",
        }));
        consumer.Assign([new TopicPartitionOffset(Orders, new Offset(0))]);
        var seen = new List<long>();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(1.5);
        while (DateTime.UtcNow < until)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } record)
            {
                seen.Add(record.Offset);
            }
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), seen);
        Assert.Equal(10, log.HighWatermark);
        Assert.False(unacknowledged.IsCompleted, "A record no follower has was acknowledged.");

        foreach (var other in Enumerable.Range(0, 3).Where(n => n != leader))
        {
            cluster.Network.Heal(Id(leader), Id(other));
        }

        var late = await unacknowledged;
        Assert.Equal(10, late.Offset);
        var after = consumer.Consume(TimeSpan.FromSeconds(10));
        Assert.NotNull(after);
        Assert.Equal(10, after.Offset);
    }

    [Fact]
    public async Task AcksAll_TwoOfThreeNodesStopped_NotEnoughReplicasAndNothingAppended()
    {
        await using var cluster = await TestCluster.StartAsync(3, tcp: false, Ct);
        await cluster.Node(0).CreateTopicAsync("orders", 1, 3, minInsyncReplicas: 2, cancellationToken: Ct);
        await cluster.WaitForTopicEverywhereAsync("orders", Ct);
        var leader = (await cluster.Node(0).WaitForLeaderAsync(Orders, Ct)).Leader;
        await using (var producer = cluster.Node(leader).Broker.CreateProducer<Null, string>(ProducerConfig()))
        {
            await producer.ProduceAsync("orders", new Message<Null, string> { Value = V(0) }, Ct);
        }

        foreach (var other in Enumerable.Range(0, 3).Where(n => n != leader))
        {
            await cluster.StopNodeAsync(other);
        }

        await cluster.Authority.WaitForAsync(m => m.Partitions[Orders].Isr.Count == 1, TimeSpan.FromSeconds(5), Ct);
        await cluster.Node(leader).WaitForMetadataAsync(m => m.Partitions[Orders].Isr.Count == 1, Ct);
        Assert.True(cluster.Node(leader).Broker.TryGetPartitionLog(Orders, out var log));
        var endBefore = log.LogEndOffset;
        await using var failing = cluster.Node(leader).Broker.CreateProducer<Null, string>(ProducerConfig(retries: 0));
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
            await failing.ProduceAsync("orders", new Message<Null, string> { Value = V(1) }, Ct));
        var replication = Assert.IsType<ReplicationException>(error);
        Assert.Equal(ErrorCode.NotEnoughReplicas, replication.ErrorCode);
        Assert.True(replication.IsRetriable);
        Assert.Equal(endBefore, log.LogEndOffset);
        Assert.Equal(endBefore, log.HighWatermark);
    }

    [Fact]
    public async Task Producer_LeaderStopped_NewLeaderTakesOverAndNoAcknowledgedRecordLostOrDuplicated()
    {
        await using var cluster = await TestCluster.StartAsync(3, tcp: false, Ct);
        await cluster.Node(0).CreateTopicAsync("orders", 1, 3, minInsyncReplicas: 2, cancellationToken: Ct);
        await cluster.WaitForTopicEverywhereAsync("orders", Ct);
        var first = await cluster.Node(0).WaitForLeaderAsync(Orders, Ct);
        var producerNode = (first.Leader + 1) % 3;
        var acked = new Dictionary<long, string>();
        await using (var producer = cluster.Node(producerNode).Broker.CreateProducer<Null, string>(ProducerConfig()))
        {
            var next = 0;
            async Task SendAsync(int count)
            {
                var sends = Enumerable.Range(next, count)
                    .Select(i => producer.ProduceAsync("orders", new Message<Null, string> { Value = V(i) }, Ct).AsTask()).ToList();
                next += count;
                foreach (var result in await Task.WhenAll(sends))
                {
                    Assert.True(acked.TryAdd(result.Offset, result.Message.Value!), $"Offset {result.Offset} acknowledged twice.");
                }
            }

            await SendAsync(100);
            var inFlight = SendAsync(200);
            await cluster.StopNodeAsync(first.Leader);
            await inFlight;
            var second = await cluster.Node(producerNode).WaitForMetadataAsync(
                m => m.Partitions[Orders].Leader is var l && l != first.Leader && l != PartitionState.NoLeader, Ct);
            Assert.True(second.Partitions[Orders].LeaderEpoch > first.LeaderEpoch);
            await SendAsync(100);
        }

        Assert.Equal(400, acked.Count);
        Assert.Equal(400, acked.Values.Distinct().Count());
        await cluster.StartNodeAsync(first.Leader, Ct);
        await cluster.Authority.WaitForAsync(m => m.Partitions[Orders].Isr.Count == 3, TimeSpan.FromSeconds(15), Ct);
        await cluster.WaitForReplicasInSyncAsync(Orders, TimeSpan.FromSeconds(15), Ct);
        var reference = cluster.ReadReplica(0, Orders);
        for (var node = 0; node < 3; node++)
        {
            var replica = cluster.ReadReplica(node, Orders);
            Assert.Equal(reference, replica);
            Assert.Equal(replica.Count, replica.Values.Distinct().Count());
            foreach (var (offset, value) in acked)
            {
                Assert.True(replica.TryGetValue(offset, out var stored) && stored == value,
                    $"Node {node}: acknowledged {value} at offset {offset} is missing or different ({stored}).");
            }
        }
    }

    [Fact]
    public async Task SequentialAcksAllProduces_FollowersCaughtUp_AnsweredWithoutWaitingOutTheHeldFetch()
    {
        // The leader holds caught-up followers' fetches for ReplicaFetchWaitMax (200 ms here); a new append must answer
        // them at once, or every acks=all produce would take about that long.
        await using var cluster = await TestCluster.StartAsync(3, tcp: false, Ct);
        await cluster.Node(0).CreateTopicAsync("orders", 1, 3, cancellationToken: Ct);
        await cluster.WaitForTopicEverywhereAsync("orders", Ct);
        var leader = (await cluster.Node(0).WaitForLeaderAsync(Orders, Ct)).Leader;
        await using var producer = cluster.Node((leader + 1) % 3).Broker.CreateProducer<Null, string>(ProducerConfig());
        await producer.ProduceAsync("orders", new Message<Null, string> { Value = V(0) }, Ct);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 1; i <= 20; i++)
        {
            await producer.ProduceAsync("orders", new Message<Null, string> { Value = V(i) }, Ct);
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"20 sequential acks=all produces took {watch.Elapsed.TotalMilliseconds:F0} ms.");
    }

    private static ProducerConfig ProducerConfig(int retries = int.MaxValue) => new(new Dictionary<string, string>
    {
        ["acks"] = "all",
        ["enable.idempotence"] = retries > 0 ? "true" : "false",
        ["retries"] = retries.ToString(CultureInfo.InvariantCulture),
        ["linger.ms"] = "1",
        ["request.timeout.ms"] = "5000",
        ["delivery.timeout.ms"] = "60000",
    });

    private static string V(int i) => "record-" + i.ToString(CultureInfo.InvariantCulture);

    private static string Id(int node) => node.ToString(CultureInfo.InvariantCulture);

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(10, Ct);
        }
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using CommitLog.Groups;

namespace CommitLog.Replication.Tests.Cluster;

/// <summary>Topics, consumers and polling loops for group tests on a <see cref="TestCluster"/>.</summary>
internal static class GroupTestKit
{
    public const string Topic = "orders";
    public const int RecordsPerPartition = 40;

    public static readonly TopicPartition Orders0 = new(Topic, 0);
    public static readonly TopicPartition Orders1 = new(Topic, 1);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Creates <c>orders</c> (2 partitions, 3 replicas) and produces <see cref="RecordsPerPartition"/> records to each.</summary>
    public static async Task CreateOrdersAsync(TestCluster cluster)
    {
        await cluster.Node(0).CreateTopicAsync(Topic, 2, 3, minInsyncReplicas: 1, cancellationToken: Ct);
        await cluster.Node(0).WaitForLeaderAsync(Orders0, Ct);
        await cluster.Node(0).WaitForLeaderAsync(Orders1, Ct);
        await cluster.WaitForTopicEverywhereAsync(Topic, Ct);
        await ProduceOrdersAsync(cluster, 0, RecordsPerPartition);
    }

    /// <summary>Produces <paramref name="count"/> records (values numbered from <paramref name="first"/>) to each partition of
    /// <c>orders</c> with acks=all and waits until every replica has them.</summary>
    public static async Task ProduceOrdersAsync(TestCluster cluster, int first, int count)
    {
        var node = cluster.Nodes.First(n => n is not null)!;
        await using var producer = node.Broker.CreateProducer<Null, string>(new ProducerConfig(new Dictionary<string, string>
        {
            ["acks"] = "all", ["linger.ms"] = "1", ["enable.idempotence"] = "true",
        }));
        var sends = new List<Task>();
        for (var i = first; i < first + count; i++)
        {
            var value = "record-" + i.ToString(CultureInfo.InvariantCulture);
            sends.Add(producer.ProduceAsync(Orders0, new Message<Null, string> { Value = value }, Ct).AsTask());
            sends.Add(producer.ProduceAsync(Orders1, new Message<Null, string> { Value = value }, Ct).AsTask());
        }

        await Task.WhenAll(sends);
        await cluster.WaitForReplicasInSyncAsync(Orders0, TimeSpan.FromSeconds(10), Ct);
        await cluster.WaitForReplicasInSyncAsync(Orders1, TimeSpan.FromSeconds(10), Ct);
    }

    /// <summary>Creates <c>__consumer_offsets</c> with every replica in sync and returns the group's partition of it.</summary>
    public static async Task<TopicPartition> OffsetsPartitionAsync(TestCluster cluster, string group)
    {
        var count = await cluster.Node(0).Broker.EnsureOffsetsTopicAsync(Ct);
        var partition = new TopicPartition(OffsetsTopic.Name, OffsetsTopic.PartitionFor(group, count));
        await cluster.Authority.WaitForAsync(m => m.Partitions.TryGetValue(partition, out var s) && s.Isr.Count == 3, TimeSpan.FromSeconds(10), Ct);
        foreach (var node in cluster.Nodes.Where(n => n is not null))
        {
            await node!.WaitForMetadataAsync(m => m.Partitions.TryGetValue(partition, out var s) && s.Isr.Count == 3, Ct);
        }

        return partition;
    }

    public static IConsumer<Null, string> Consumer(TestCluster cluster, int node, string group)
        => cluster.Node(node).Broker.CreateConsumer<Null, string>(new ConsumerConfig(new Dictionary<string, string>
        {
            ["group.id"] = group,
            ["client.id"] = "member-on-node-" + node.ToString(CultureInfo.InvariantCulture),
            ["auto.offset.reset"] = "earliest",
            ["enable.auto.commit"] = "false",
            ["session.timeout.ms"] = "6000",
            ["heartbeat.interval.ms"] = "300",
            ["max.poll.interval.ms"] = "40000",
        }));

    /// <summary>Polls <paramref name="consumers"/> concurrently (each on its own task, as separate processes would) until
    /// <paramref name="done"/> holds or 30 s pass; every record is passed to <paramref name="seen"/> with its consumer's index.</summary>
    public static async Task PollUntilAsync(
        IReadOnlyList<IConsumer<Null, string>> consumers, Func<bool> done, Action<int, ConsumeResult<Null, string>>? seen = null, string what = "")
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var errors = new ConcurrentQueue<Exception>();
        var loops = consumers.Select((consumer, index) => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (consumer.Consume(TimeSpan.FromMilliseconds(50)) is { } record)
                    {
                        seen?.Invoke(index, record);
                    }
                }
#pragma warning disable CA1031 // collected and reported by the test
                catch (Exception e)
#pragma warning restore CA1031
                {
                    errors.Enqueue(e);
                    return;
                }
            }
        }, CancellationToken.None)).ToList();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        try
        {
            while (!done())
            {
                Assert.True(errors.IsEmpty, $"A consumer failed: {string.Join("; ", errors)}");
                Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}; assignments: " +
                    string.Join(" | ", consumers.Select(c => string.Join(",", c.Assignment))));
                await Task.Delay(20, Ct);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(loops);
        }

        Assert.True(errors.IsEmpty, $"A consumer failed: {string.Join("; ", errors)}");
    }

    /// <summary>Whether the consumers' assignments are disjoint and together cover both partitions of <c>orders</c>,
    /// each consumer owning at least one.</summary>
    public static bool ShareOrders(IReadOnlyList<IConsumer<Null, string>> consumers)
    {
        var all = consumers.SelectMany(c => c.Assignment).ToList();
        return consumers.All(c => c.Assignment.Count > 0) && all.Count == 2 && all.Distinct().Count() == 2;
    }
}

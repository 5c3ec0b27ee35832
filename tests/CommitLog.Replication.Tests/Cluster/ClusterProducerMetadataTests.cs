using System.Diagnostics;
using CommitLog.Storage;

namespace CommitLog.Replication.Tests.Cluster;

/// <summary>
/// A producer on a cluster node waits up to <c>max.block.ms</c> for a topic its node has not learned yet, as Kafka's
/// producer waits for metadata, instead of failing at once while the metadata is on its way.
/// </summary>
public sealed class ClusterProducerMetadataTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Produce_TopicCreatedWhileWaiting_WaitsForMetadataAndDelivers()
    {
        await using var cluster = await TestCluster.StartAsync(3, tcp: false, Ct);
        await using var producer = cluster.Node(1).Broker.CreateProducer<Null, string>(Config(maxBlockMs: 20_000));

        var send = Task.Run(() => producer.ProduceAsync("late", new Message<Null, string> { Value = "first" }, Ct).AsTask(), Ct);
        await Task.Delay(300, Ct);
        Assert.False(send.IsCompleted, $"The send did not wait for the topic: {send.Exception?.InnerException?.Message}");

        await cluster.Node(0).CreateTopicAsync("late", 1, 3, minInsyncReplicas: 2, cancellationToken: Ct);
        var result = await send.WaitAsync(TimeSpan.FromSeconds(20), Ct);

        Assert.Equal(0, result.Offset.Value);
        Assert.Equal(Durability.Replicated, result.Durability);
    }

    [Fact]
    public async Task Produce_TopicNeverCreated_FailsAfterMaxBlockNamingIt()
    {
        await using var cluster = await TestCluster.StartAsync(3, tcp: false, Ct);
        await using var producer = cluster.Node(2).Broker.CreateProducer<Null, string>(Config(maxBlockMs: 400));

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<UnknownTopicOrPartitionException>(
            () => Task.Run(() => producer.ProduceAsync("missing", new Message<Null, string> { Value = "x" }, Ct).AsTask(), Ct));

        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(350), $"Failed after {watch.Elapsed.TotalMilliseconds:F0} ms, before max.block.ms.");
        Assert.Contains("'missing'", error.Message, StringComparison.Ordinal);
        Assert.Contains("max.block.ms (400 ms)", error.Message, StringComparison.Ordinal);
    }

    private static ProducerConfig Config(int maxBlockMs) => new(new Dictionary<string, string>
    {
        ["acks"] = "all",
        ["linger.ms"] = "0",
        ["max.block.ms"] = maxBlockMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["request.timeout.ms"] = "5000",
    });
}

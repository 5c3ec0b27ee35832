using System.Collections.Concurrent;

namespace CommitLog.Tests.Groups;

public sealed class ConsumerGroupEndToEndTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Subscribe_TwoConsumersInOneGroup_ShareThePartitionsAndReadEveryRecordOnce()
    {
        await using var broker = CommitLog.Broker.CreateInMemory(new BrokerOptions { GroupInitialRebalanceDelay = TimeSpan.Zero });
        await broker.Admin.CreateTopicAsync("orders", 2, cancellationToken: Ct);
        await using (var producer = broker.CreateProducer<string, string>(new ProducerConfig(new Dictionary<string, string>
                     {
                         ["acks"] = "1", ["linger.ms"] = "0", ["enable.idempotence"] = "false",
                     })))
        {
            for (int i = 0; i < 20; i++)
            {
                await producer.ProduceAsync(
                    new TopicPartition("orders", i % 2), new Message<string, string> { Key = $"k{i}", Value = $"v{i}" }, Ct);
            }
        }

        var seen = new ConcurrentDictionary<string, string>();
        var finalAssignments = new ConcurrentDictionary<string, TopicPartition>();
        async Task RunAsync(string name)
        {
            var config = new ConsumerConfig(new Dictionary<string, string>
            {
                ["group.id"] = "billing", ["client.id"] = name, ["auto.offset.reset"] = "earliest", ["enable.auto.commit"] = "false",
                ["heartbeat.interval.ms"] = "50", ["fetch.max.wait.ms"] = "50",
            });
            await using var consumer = broker.CreateConsumer<string, string>(config);
            consumer.Subscribe("orders");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (DateTime.UtcNow < deadline && (seen.Count < 20 || consumer.Assignment.Count != 1))
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(50)) is { IsPartitionEOF: false } result)
                {
                    seen.TryAdd(result.Message.Value!, name);
                }
            }

            finalAssignments[name] = Assert.Single(consumer.Assignment);
            await Task.Delay(200, Ct); // stay in the group until the other one has seen its share too
        }

        await Task.WhenAll(Task.Run(() => RunAsync("c1"), Ct), Task.Run(() => RunAsync("c2"), Ct));

        Assert.Equal(20, seen.Count);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"v{i}").Order(StringComparer.Ordinal), seen.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, finalAssignments.Values.Distinct().Count());
    }
}

namespace CommitLog.Tests.Consumer;

/// <summary>USAGE.md §2 (a consumer group that commits manually), run as a user writes it, against the broker's coordinator.</summary>
public class UsageConsumerExampleTests
{
    [Fact]
    public async Task UsageConsumerGroupExample_RunsAndStoresOffsets()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var broker = CommitLog.Broker.CreateInMemory(new BrokerOptions { GroupInitialRebalanceDelay = TimeSpan.Zero });
        await broker.Admin.CreateTopicAsync("order-events", partitions: 3, cancellationToken: ct);
        await using (var producer = broker.CreateProducer<string, OrderEvent>(
            ConsumerTestKit.ProducerSettings(), valueSerializer: Serializers.Json<OrderEvent>()))
        {
            for (int i = 0; i < 30; i++)
            {
                await producer.ProduceAsync("order-events", new Message<string, OrderEvent> { Key = $"user-{i % 5}", Value = new OrderEvent(i) }, ct);
            }
        }

        var handled = new List<int>();
        Task HandleAsync(OrderEvent? evt)
        {
            handled.Add(evt!.Id);
            return Task.CompletedTask;
        }

        // USAGE.md §2, as written:
        var consumerConfig = new ConsumerConfig(new Dictionary<string, string>
        {
            ["group.id"] = "my-consumer-group",
            ["auto.offset.reset"] = "earliest",
            ["enable.auto.commit"] = "false",
            ["max.poll.records"] = "500",
            ["session.timeout.ms"] = "30000",
            ["heartbeat.interval.ms"] = "3000",
            ["max.poll.interval.ms"] = "300000",
        });
        await using var consumer = broker.CreateConsumer<string, OrderEvent>(consumerConfig, Deserializers.Json<OrderEvent>());
        consumer.Subscribe("order-events");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(TimeSpan.FromSeconds(20));
        try
        {
            await foreach (var record in consumer.ConsumeAsync(stop.Token))
            {
                await HandleAsync(record.Message.Value);
                consumer.StoreOffset(record);                  // or await consumer.CommitAsync(record)
                if (handled.Count == 30)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }

        Assert.Equal(Enumerable.Range(0, 30), handled.Order());
        Assert.Equal(30, consumer.Assignment.Sum(tp => consumer.Position(tp).Value));
        await consumer.CommitAsync(ct); // the stored offsets, committed with the member's generation
        var group = await broker.Admin.DescribeConsumerGroupAsync("my-consumer-group", ct);
        Assert.Equal(ConsumerGroupState.Stable, group.State);
        Assert.Equal(30, group.Partitions.Sum(p => p.CurrentOffset ?? 0));
        Assert.Equal(0, group.TotalLag);
    }

    public sealed record OrderEvent(int Id);
}

using Microsoft.Extensions.Time.Testing;
using static CommitLog.Tests.Consumer.ConsumerTestKit;

namespace CommitLog.Tests.Consumer;

public class ConsumerCommitTests
{
    private static readonly TopicPartition Tp = new("t", 0);

    [Fact]
    public async Task CommitResult_NewConsumerOfGroup_StartsAfterCommittedRecord()
    {
        await using var broker = await BrokerWithTopicAsync();
        await ProduceAsync(broker, Tp, 20);
        await using (var consumer = broker.CreateConsumer<string, string>(Settings(groupId: "g")))
        {
            consumer.Assign([Tp]);
            var records = ConsumeRecords(consumer, 8);
            await consumer.CommitAsync(records[^1], Ct);
            Assert.Equal([new TopicPartitionOffset(Tp, 8)], consumer.Committed([Tp], TimeSpan.FromSeconds(1)));
        }

        await using var next = broker.CreateConsumer<string, string>(Settings(groupId: "g", reset: "latest"));
        next.Assign([Tp]);
        Assert.Equal(8, next.Position(Tp).Value);
        Assert.Equal(8, next.Consume(TimeSpan.FromSeconds(5))!.Offset.Value);
        await using var otherGroup = broker.CreateConsumer<string, string>(Settings(groupId: "other"));
        Assert.Equal(Offset.Unset, otherGroup.Committed([Tp], TimeSpan.Zero)[0].Offset);
    }

    [Fact]
    public async Task Commit_AutoOffsetStore_CommitsPositionOfEveryAssignedPartition()
    {
        await using var broker = await BrokerWithTopicAsync(partitions: 2);
        var other = new TopicPartition("t", 1);
        await ProduceAsync(broker, Tp, 10);
        await ProduceAsync(broker, other, 4);
        await using var consumer = broker.CreateConsumer<string, string>(Settings(groupId: "g"));
        consumer.Assign([Tp, other]);
        ConsumeRecords(consumer, 14);

        var committed = consumer.Commit();

        Assert.Equal([new TopicPartitionOffset(Tp, 10), new TopicPartitionOffset(other, 4)], committed.OrderBy(c => c.Partition.Value));
        Assert.Equal(new[] { 10L, 4L }, consumer.Committed([Tp, other], TimeSpan.Zero).Select(c => c.Offset.Value));
        Assert.Empty(consumer.Commit()); // nothing new since
    }

    [Fact]
    public async Task StoreOffset_AutoStoreDisabled_CommitTakesOnlyStoredOffsets()
    {
        await using var broker = await BrokerWithTopicAsync();
        await ProduceAsync(broker, Tp, 10);
        var config = new ConsumerConfig(new Dictionary<string, string>
        {
            ["group.id"] = "g", ["enable.auto.commit"] = "false", ["enable.auto.offset.store"] = "false", ["auto.offset.reset"] = "earliest",
        });
        await using var consumer = broker.CreateConsumer<string, string>(config);
        consumer.Assign([Tp]);
        var records = ConsumeRecords(consumer, 10);

        Assert.Empty(consumer.Commit());
        consumer.StoreOffset(records[3]);
        Assert.Equal([new TopicPartitionOffset(Tp, 4)], consumer.Commit());
        consumer.StoreOffset(new TopicPartitionOffset(Tp, 7));
        await consumer.CommitAsync(Ct);
        Assert.Equal(7, consumer.Committed([Tp], TimeSpan.Zero)[0].Offset.Value);
    }

    [Fact]
    public async Task Commit_BadInput_ClearExceptions()
    {
        await using var broker = await BrokerWithTopicAsync(partitions: 2);
        await ProduceAsync(broker, Tp, 5);
        await using var consumer = broker.CreateConsumer<string, string>(Settings(groupId: "g"));
        consumer.Assign([Tp]);

        var unassigned = Assert.Throws<InvalidOperationException>(() => consumer.Commit([new TopicPartitionOffset("t", 1, 0)]));
        Assert.Contains("t-1", unassigned.Message, StringComparison.Ordinal);
        Assert.Contains("not assigned", unassigned.Message, StringComparison.Ordinal);
        var beyond = Assert.Throws<ArgumentOutOfRangeException>(() => consumer.Commit([new TopicPartitionOffset(Tp, 6)]));
        Assert.Contains("log end offset 5", beyond.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => consumer.Commit([new TopicPartitionOffset(Tp, -1)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => consumer.StoreOffset(new TopicPartitionOffset(Tp, -3)));
        Assert.Throws<InvalidOperationException>(() => consumer.StoreOffset(new TopicPartitionOffset("t", 1, 0)));
        consumer.Commit([new TopicPartitionOffset(Tp, 5)]); // exactly the log end is fine
        Assert.Equal(5, consumer.Committed([Tp], TimeSpan.Zero)[0].Offset.Value);

        await using var groupless = broker.CreateConsumer<string, string>(Settings());
        groupless.Assign([Tp]);
        var noGroup = Assert.Throws<InvalidOperationException>(() => groupless.Commit([new TopicPartitionOffset(Tp, 1)]));
        Assert.Contains("group.id", noGroup.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AutoCommit_IntervalElapsesAndClose_CommitsStoredOffsets()
    {
        await using var broker = await BrokerWithTopicAsync();
        await ProduceAsync(broker, Tp, 10);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var config = new ConsumerConfig(new Dictionary<string, string>
        {
            ["group.id"] = "g", ["enable.auto.commit"] = "true", ["auto.commit.interval.ms"] = "5000", ["auto.offset.reset"] = "earliest",
        });
        var consumer = new ConsumerBuilder<string, string>(broker, config).SetTimeProvider(time).Build();
        consumer.Assign([Tp]);
        ConsumeRecords(consumer, 6);
        IReadOnlyList<TopicPartitionOffset> Committed() => consumer.Committed([Tp], TimeSpan.Zero);

        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(Offset.Unset, Committed()[0].Offset);
        time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntilAsync(() => Committed()[0].Offset.Value == 6);

        ConsumeRecords(consumer, 4);
        await consumer.DisposeAsync(); // commits what was consumed since the last tick
        Assert.Equal(10, broker.GroupOffsets.Fetch("g", [Tp])[Tp].Offset);
    }

    [Fact]
    public async Task Commit_AfterRestartOfBroker_CommittedOffsetSurvives()
    {
        var root = Path.Combine(Path.GetTempPath(), "commitlog-consumer-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var broker = await CommitLog.Broker.OpenAsync(root, cancellationToken: Ct))
            {
                await broker.Admin.CreateTopicAsync("t", 1, cancellationToken: Ct);
                await ProduceAsync(broker, Tp, 10);
                await using var consumer = broker.CreateConsumer<string, string>(Settings(groupId: "g"));
                consumer.Assign([Tp]);
                consumer.Commit(ConsumeRecords(consumer, 3)[^1]);
            }

            await using var reopened = await CommitLog.Broker.OpenAsync(root, cancellationToken: Ct);
            await using var again = reopened.CreateConsumer<string, string>(Settings(groupId: "g", reset: "latest"));
            again.Assign([Tp]);
            Assert.Equal(3, again.Consume(TimeSpan.FromSeconds(5))!.Offset.Value);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10, Ct);
        }

        Assert.True(condition());
    }
}

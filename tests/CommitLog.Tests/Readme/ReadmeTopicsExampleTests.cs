namespace CommitLog.Tests.Readme;

using Broker = CommitLog.Broker;

/// <summary>The README's "Topics" and producer examples, run as written (only the directory differs).</summary>
public class ReadmeTopicsExampleTests
{
    [Fact]
    public async Task ReadmeTopicsExample_Runs()
    {
        var root = Path.Combine(Path.GetTempPath(), "commitlog-readme-" + Guid.NewGuid().ToString("N"));
        try
        {
#pragma warning disable xUnit1051 // The README's code, as a user writes it (no test cancellation token).
            await using var broker = await Broker.OpenAsync(root + "/data/");
            await broker.Admin.CreateTopicAsync("order-events", partitions: 3, new TopicConfig(new Dictionary<string, string>
            {
                ["retention.ms"] = "604800000",
                ["flush.messages"] = "1",
            }));
            TopicDescription topic = await broker.Admin.DescribeTopicAsync("order-events");

            await using var producer = broker.CreateProducer<string, string>(new ProducerConfig(new Dictionary<string, string>
            {
                ["acks"] = "all",
                ["enable.idempotence"] = "true",
                ["linger.ms"] = "10",
                ["compression.type"] = "lz4",
            }));
            DeliveryResult<string, string> result = await producer.ProduceAsync("order-events",
                new Message<string, string> { Key = "alice", Value = "{\"order\":1}" });

            var cancellationToken = TestContext.Current.CancellationToken;
            await using var consumer = broker.CreateConsumer<string, string>(new ConsumerConfig(new Dictionary<string, string>
            {
                ["group.id"] = "billing",
                ["auto.offset.reset"] = "earliest",
                ["enable.auto.commit"] = "false",
            }));
            consumer.Subscribe("order-events");
            ConsumeResult<string, string> record = consumer.Consume(cancellationToken);
            await consumer.CommitAsync(record);                       // the group resumes after this record
            ConsumerGroupDescription group = await broker.Admin.DescribeConsumerGroupAsync("billing");
#pragma warning restore xUnit1051

            Assert.Equal(("alice", "{\"order\":1}"), (record.Message.Key, record.Message.Value));
            Assert.Equal(ConsumerGroupState.Stable, group.State);
            GroupPartitionLag committed = Assert.Single(group.Partitions, p => p.CurrentOffset is not null);
            Assert.Equal((result.Partition.Value, 1L, 0L), (committed.Partition, committed.CurrentOffset!.Value, committed.Lag!.Value));

            Assert.Equal(0, result.TopicPartitionOffset.Offset.Value);
            Assert.Equal(CommitLog.Storage.Durability.Flushed, result.Durability);

            Assert.Equal(3, topic.Partitions.Count);
            Assert.Equal(TimeSpan.FromDays(7), topic.Config.RetentionMs);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Readme_StillContainsTheTopicsExample()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "README.md")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        var readme = File.ReadAllText(Path.Combine(dir.FullName, "README.md"));
        Assert.Contains("await broker.Admin.CreateTopicAsync(\"order-events\", partitions: 3, new TopicConfig(new Dictionary<string, string>", readme, StringComparison.Ordinal);
        Assert.Contains("TopicDescription topic = await broker.Admin.DescribeTopicAsync(\"order-events\");", readme, StringComparison.Ordinal);
        Assert.Contains("await using var producer = broker.CreateProducer<string, string>(new ProducerConfig(new Dictionary<string, string>", readme, StringComparison.Ordinal);
        Assert.Contains("DeliveryResult<string, string> result = await producer.ProduceAsync(\"order-events\",", readme, StringComparison.Ordinal);
        Assert.Contains("await using var consumer = broker.CreateConsumer<string, string>(new ConsumerConfig(new Dictionary<string, string>", readme, StringComparison.Ordinal);
        Assert.Contains("ConsumeResult<string, string> record = consumer.Consume(cancellationToken);", readme, StringComparison.Ordinal);
        Assert.Contains("await consumer.CommitAsync(record);", readme, StringComparison.Ordinal);
        Assert.Contains("ConsumerGroupDescription group = await broker.Admin.DescribeConsumerGroupAsync(\"billing\");", readme, StringComparison.Ordinal);
    }
}

using CommitLog.Storage;
using CommitLog.Tests.Broker;
using static CommitLog.Tests.Producer.ProducerTestKit;
using Record = CommitLog.Storage.Record;

namespace CommitLog.Tests.Producer;

public class ProducerDeliveryTests
{
    [Fact]
    public async Task ProduceAsync_KeyedRecords_SameKeySamePartitionInOrder()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("order-events", 3, cancellationToken: Ct);
        await using var producer = broker.CreateProducer<string, string>(Settings());

        var results = new List<DeliveryResult<string, string>>();
        for (int i = 0; i < 60; i++)
        {
            results.Add(await producer.ProduceAsync(
                "order-events", new Message<string, string> { Key = $"user-{i % 6}", Value = $"event-{i}" }, Ct));
        }

        foreach (var group in results.GroupBy(r => r.Key))
        {
            Assert.Single(group.Select(r => r.Partition).Distinct());
            var stored = ReadRecords(broker, "order-events", group.First().Partition)
                .Where(r => Text(r.Key) == group.Key).Select(r => Text(r.Value)).ToList();
            Assert.Equal(group.Select(r => r.Value), stored);
            Assert.Equal(group.Select(r => r.Offset.Value), group.Select(r => r.Offset.Value).Order());
        }

        Assert.True(results.Select(r => r.Partition).Distinct().Count() > 1, "six keys should spread over more than one of 3 partitions");
        Assert.All(results, r => Assert.Equal(Durability.Written, r.Durability));
    }

    [Fact]
    public async Task ProduceAsync_ResultOffsets_MatchStoredRecords()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("t", 1, cancellationToken: Ct);
        await using var producer = broker.CreateProducer<Null, string>(Settings(lingerMs: 0));

        var pending = Enumerable.Range(0, 50).Select(i => producer.ProduceAsync("t", new Message<Null, string> { Value = $"v{i}" }, Ct).AsTask()).ToList();
        DeliveryResult<Null, string>[] results = await Task.WhenAll(pending);

        List<Record> stored = ReadRecords(broker, "t", 0);
        Assert.Equal(50, stored.Count);
        foreach (var result in results)
        {
            Assert.Equal(result.Value, Text(stored.Single(r => r.Offset == result.Offset.Value).Value));
            Assert.Equal(stored.Single(r => r.Offset == result.Offset.Value).Timestamp, result.Timestamp.UnixTimestampMs);
        }
    }

    [Fact]
    public async Task ProduceAsync_SameKeyAfterBrokerReopen_SamePartition()
    {
        using var kind = BrokerKind.Create("memory");
        var before = new Dictionary<string, int>();
        await using (var broker = await kind.OpenAsync())
        {
            await broker.Admin.CreateTopicAsync("order-events", 3, cancellationToken: Ct);
            await using var producer = broker.CreateProducer<string, string>(Settings());
            for (int u = 0; u < 12; u++)
            {
                before[$"user-{u}"] = (await producer.ProduceAsync("order-events", new Message<string, string> { Key = $"user-{u}", Value = "a" }, Ct)).Partition;
            }
        }

        await using (var broker = await kind.OpenAsync())
        {
            await using var producer = broker.CreateProducer<string, string>(Settings());
            foreach ((string key, int partition) in before)
            {
                var result = await producer.ProduceAsync("order-events", new Message<string, string> { Key = key, Value = "b" }, Ct);
                Assert.Equal(partition, result.Partition.Value);
                Assert.Equal(["a", "b"], ReadRecords(broker, "order-events", partition).Where(r => Text(r.Key) == key).Select(r => Text(r.Value)));
            }
        }
    }

    [Theory]
    [InlineData(Acks.None)]
    [InlineData(Acks.Leader)]
    [InlineData(Acks.All)]
    public async Task ProduceAsync_Acks_ResultReflectsAcknowledgement(Acks acks)
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("t", 1, cancellationToken: Ct);
        await using var producer = broker.CreateProducer<string, string>(Settings(acks: acks));

        var result = await producer.ProduceAsync("t", new Message<string, string> { Key = "k", Value = "v" }, Ct);
        await producer.FlushAsync(Ct);

        if (acks == Acks.None)
        {
            Assert.Equal(Offset.Unset, result.Offset);
            Assert.Equal(Durability.None, result.Durability);
        }
        else
        {
            Assert.Equal(0, result.Offset.Value);
            Assert.Equal(Durability.Written, result.Durability);
        }

        Assert.Equal("v", Text(Assert.Single(ReadRecords(broker, "t", 0)).Value));
    }

    [Fact]
    public async Task ProduceAsync_FlushBeforeAckTopic_ReportsFlushed()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("t", 1, new TopicConfig { FlushPolicy = FlushPolicy.BeforeAck }, Ct);
        await using var producer = broker.CreateProducer<string, string>(Settings());

        var result = await producer.ProduceAsync("t", new Message<string, string> { Value = "v" }, Ct);

        Assert.Equal(Durability.Flushed, result.Durability);
    }

    [Fact]
    public async Task Produce_FireAndForget_EveryHandlerCalledOnceWithItsOffset()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("t", 2, cancellationToken: Ct);
        await using var producer = broker.CreateProducer<string, int>(Settings(lingerMs: 1));
        var reports = new System.Collections.Concurrent.ConcurrentBag<DeliveryReport<string, int>>();

        for (int i = 0; i < 200; i++)
        {
            producer.Produce("t", new Message<string, int> { Key = $"k{i % 5}", Value = i }, reports.Add);
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        Assert.Equal(200, reports.Count);
        Assert.All(reports, r => Assert.True(r.IsSuccess));
        Assert.Equal(200, reports.Select(r => r.TopicPartitionOffset).Distinct().Count());
        foreach (var report in reports)
        {
            Record stored = ReadRecords(broker, "t", report.Partition).Single(r => r.Offset == report.Offset.Value);
            Assert.Equal(report.Message.Value, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(stored.Value!.Value.Span));
        }
    }

    [Fact]
    public async Task Produce_UnknownTopic_ThrowsNamingTopic()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await using var producer = broker.CreateProducer<string, string>(Settings());

        var e = await Assert.ThrowsAsync<UnknownTopicOrPartitionException>(
            async () => await producer.ProduceAsync("missing", new Message<string, string> { Value = "v" }, Ct));
        Assert.Contains("missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProduceAsync_ExplicitPartition_UsedAndValidated()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("t", 3, cancellationToken: Ct);
        await using var producer = broker.CreateProducer<string, string>(Settings());

        var result = await producer.ProduceAsync(new TopicPartition("t", 2), new Message<string, string> { Key = "x", Value = "v" }, Ct);
        Assert.Equal(2, result.Partition.Value);
        Assert.Single(ReadRecords(broker, "t", 2));
        await Assert.ThrowsAsync<UnknownTopicOrPartitionException>(
            async () => await producer.ProduceAsync(new TopicPartition("t", 3), new Message<string, string> { Value = "v" }, Ct));
    }

    [Fact]
    public async Task ProduceAsync_TopicCompression_BatchesCompressedAndReadable()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("t", 1, new TopicConfig { CompressionType = CompressionType.Lz4 }, Ct);
        await using var producer = broker.CreateProducer<string, string>(Settings());

        await producer.ProduceAsync("t", new Message<string, string> { Value = new string('x', 500) }, Ct);

        var (header, records) = Assert.Single(ReadBatches(broker, "t", 0));
        Assert.Equal(CompressionType.Lz4, header.Compression);
        Assert.Equal(new string('x', 500), Text(Assert.Single(records).Value));
    }
}

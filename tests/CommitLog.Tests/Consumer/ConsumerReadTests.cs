using CommitLog.Storage;
using static CommitLog.Tests.Consumer.ConsumerTestKit;

namespace CommitLog.Tests.Consumer;

public class ConsumerReadTests
{
    [Theory]
    [InlineData("none")]
    [InlineData("lz4")]
    [InlineData("gzip")]
    public async Task Consume_AssignedPartition_ReturnsEveryRecordOnceInOrder(string compression)
    {
        await using var broker = await BrokerWithTopicAsync();
        var tp = new TopicPartition("t", 0);
        await ProduceAsync(broker, tp, 300, compression: compression);
        using var consumer = broker.CreateConsumer<string, string>(Settings());
        consumer.Assign([tp]);

        var records = ConsumeRecords(consumer, 300);

        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"v{i}"), records.Select(r => r.Message.Value));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"k{i}"), records.Select(r => r.Message.Key));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), records.Select(r => r.Offset.Value));
        Assert.Null(consumer.Consume(TimeSpan.FromMilliseconds(50)));
        Assert.Equal(300, consumer.Position(tp).Value);
    }

    [Fact]
    public async Task Consume_HeadersTimestampsNullsAndBytes_RoundTrip()
    {
        await using var broker = await BrokerWithTopicAsync();
        var tp = new TopicPartition("t", 0);
        await using (var producer = broker.CreateProducer<byte[], byte[]>(ProducerSettings()))
        {
            var headers = new Headers { { "h1", [1, 2] }, { "h2", null }, { "h1", [] } };
            await producer.ProduceAsync(tp, new Message<byte[], byte[]>
            {
                Key = [9], Value = [1, 2, 3], Headers = headers, Timestamp = new Timestamp(1_700_000_000_123),
            }, Ct);
            await producer.ProduceAsync(tp, new Message<byte[], byte[]> { Key = null, Value = null }, Ct);
        }

        using var consumer = broker.CreateConsumer<byte[], byte[]>(Settings());
        consumer.Assign([new TopicPartitionOffset(tp, Offset.Beginning)]);
        var records = ConsumeRecords(consumer, 2);

        var first = records[0].Message!;
        Assert.Equal([9], first.Key);
        Assert.Equal([1, 2, 3], first.Value);
        Assert.Equal(1_700_000_000_123, first.Timestamp.UnixTimestampMs);
        Assert.Equal(TimestampType.CreateTime, first.Timestamp.Type);
        Assert.Equal(["h1", "h2", "h1"], first.Headers!.Select(h => h.Key));
        Assert.Equal([1, 2], first.Headers![0].Value);
        Assert.Null(first.Headers[1].Value);
        Assert.Empty(first.Headers[2].Value!);
        Assert.Null(records[1].Message.Key);
        Assert.Null(records[1].Message.Value);
        Assert.Null(records[1].Message.Headers);
        Assert.Equal(0, records[0].LeaderEpoch ?? 0);
    }

    [Fact]
    public async Task Consume_SeveralPartitions_AllRecordsOncePerPartitionOrder()
    {
        await using var broker = await BrokerWithTopicAsync(partitions: 3);
        for (int p = 0; p < 3; p++)
        {
            await ProduceAsync(broker, new TopicPartition("t", p), 100, start: p * 1000);
        }

        using var consumer = broker.CreateConsumer<string, string>(Settings());
        consumer.Assign(Enumerable.Range(0, 3).Select(p => new TopicPartition("t", p)));
        var records = ConsumeRecords(consumer, 300);

        Assert.Equal(300, records.Count);
        foreach (var partition in records.GroupBy(r => r.Partition.Value))
        {
            Assert.Equal(Enumerable.Range(partition.Key * 1000, 100).Select(i => $"v{i}"), partition.Select(r => r.Message.Value));
        }

        Assert.Null(consumer.Consume(TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public async Task Consume_StartInsideBatch_SkipsRecordsBelowRequestedOffset()
    {
        await using var broker = await BrokerWithTopicAsync();
        var tp = new TopicPartition("t", 0);
        await ProduceAsync(broker, tp, 200, compression: "lz4"); // linger packs many records per batch
        using var consumer = broker.CreateConsumer<string, string>(Settings());
        consumer.Assign([new TopicPartitionOffset(tp, 57)]);

        var records = ConsumeRecords(consumer, 143);

        Assert.Equal(57, records[0].Offset.Value);
        Assert.Equal(Enumerable.Range(57, 143).Select(i => $"v{i}"), records.Select(r => r.Message.Value));
    }

    [Fact]
    public async Task ConsumeBatchAsync_ManyAvailable_ReturnsUpToMaxPollRecords()
    {
        await using var broker = await BrokerWithTopicAsync();
        var tp = new TopicPartition("t", 0);
        await ProduceAsync(broker, tp, 100);
        using var consumer = broker.CreateConsumer<string, string>(Settings(maxPollRecords: 40));
        consumer.Assign([tp]);

        var all = new List<ConsumeResult<string, string>>();
        while (all.Count < 100)
        {
            var batch = await consumer.ConsumeBatchAsync(TimeSpan.FromSeconds(5), Ct);
            Assert.NotEmpty(batch);
            Assert.True(batch.Count <= 40, $"batch of {batch.Count} > max.poll.records 40");
            all.AddRange(batch);
        }

        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), all.Select(r => r.Offset.Value));
        Assert.Empty(await consumer.ConsumeBatchAsync(TimeSpan.FromMilliseconds(20), Ct));
    }

    [Fact]
    public async Task Consume_NoAssignment_ThrowsNamingTheFix()
    {
        await using var broker = await BrokerWithTopicAsync();
        using var consumer = broker.CreateConsumer<string, string>(Settings());

        var e = Assert.Throws<InvalidOperationException>(() => consumer.Consume(TimeSpan.Zero));
        Assert.Contains("Subscribe", e.Message, StringComparison.Ordinal);
        Assert.Contains("Assign", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_TypeWithoutDefaultDeserializer_ThrowsNamingType()
    {
        await using var broker = await BrokerWithTopicAsync();
        var e = Assert.Throws<InvalidOperationException>(() => broker.CreateConsumer<string, Uri>(Settings()));
        Assert.Contains("System.Uri", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consume_DeserializerFails_ConsumeExceptionNamesRecordAndNextRecordFollows()
    {
        await using var broker = await BrokerWithTopicAsync();
        var tp = new TopicPartition("t", 0);
        await using (var producer = broker.CreateProducer<Null, byte[]>(ProducerSettings()))
        {
            await producer.ProduceAsync(tp, new Message<Null, byte[]> { Value = [1, 2, 3] }, Ct);
            await producer.ProduceAsync(tp, new Message<Null, byte[]> { Value = [0, 0, 0, 7] }, Ct);
        }

        using var consumer = broker.CreateConsumer<Ignore, int>(Settings());
        consumer.Assign([tp]);

        var e = Assert.Throws<ConsumeException>(() => consumer.Consume(TimeSpan.FromSeconds(5)));
        Assert.Equal(new TopicPartitionOffset(tp, 0), e.TopicPartitionOffset);
        Assert.Contains("offset 0 of t-0", e.Message, StringComparison.Ordinal);
        Assert.Equal(7, consumer.Consume(TimeSpan.FromSeconds(5))!.Message.Value);
    }

    [Fact]
    public async Task Consume_IgnoreAndNullDeserializers_ReturnNullsWithOffsets()
    {
        await using var broker = await BrokerWithTopicAsync();
        var tp = new TopicPartition("t", 0);
        await using (var producer = broker.CreateProducer<Null, string>(ProducerSettings()))
        {
            await producer.ProduceAsync(tp, new Message<Null, string> { Value = "x" }, Ct);
        }

        using var consumer = broker.CreateConsumer<Null, Ignore>(Settings());
        consumer.Assign([tp]);
        var record = Assert.Single(ConsumeRecords(consumer, 1));
        Assert.Null(record.Message.Key);
        Assert.Null(record.Message.Value);
        Assert.Equal(0, record.Offset.Value);
    }
}

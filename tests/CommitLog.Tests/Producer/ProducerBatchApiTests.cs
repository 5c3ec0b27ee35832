using System.Buffers;
using CommitLog.Storage;
using static CommitLog.Tests.Producer.ProducerTestKit;

namespace CommitLog.Tests.Producer;

public class ProducerBatchApiTests
{
    [Fact]
    public async Task ProduceBatchAsync_KeyedRecords_OneResultPerRecordAndBatchOrderPerPartition()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("order-events", 3, cancellationToken: Ct);
        await using var producer = broker.CreateProducer<string, string>(Settings(lingerMs: 5, batchSize: 300));
        var messages = Enumerable.Range(0, 200)
            .Select(i => new Message<string, string> { Key = $"user-{i % 7}", Value = $"event-{i}" }).ToList();

        IReadOnlyList<DeliveryResult<string, string>> results = await producer.ProduceBatchAsync("order-events", messages, Ct);

        Assert.Equal(messages.Count, results.Count);
        for (int i = 0; i < messages.Count; i++)
        {
            Assert.Same(messages[i], results[i].Message);
            Assert.Equal(Durability.Written, results[i].Durability);
        }

        Assert.True(results.Select(r => r.Partition).Distinct().Count() > 1, "seven keys should spread over more than one partition");
        foreach (var partition in results.GroupBy(r => r.Partition.Value))
        {
            var stored = ReadRecords(broker, "order-events", partition.Key);
            Assert.Equal(partition.Select(r => r.Value), stored.Select(r => Text(r.Value))); // the batch's order
            Assert.Equal(partition.Select(r => r.Offset.Value), stored.Select(r => r.Offset));
        }

        Assert.All(results.GroupBy(r => r.Key), key => Assert.Single(key.Select(r => r.Partition).Distinct()));
    }

    [Fact]
    public async Task ProduceBatchAsync_ExplicitPartition_AllRecordsThereInOrder()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("t", 4, cancellationToken: Ct);
        await using var producer = broker.CreateProducer<string, string>(Settings());
        var messages = Enumerable.Range(0, 50).Select(i => new Message<string, string> { Key = $"k{i}", Value = $"v{i}" }).ToList();

        var results = await producer.ProduceBatchAsync(new TopicPartition("t", 2), messages, Ct);

        Assert.All(results, r => Assert.Equal(2, r.Partition.Value));
        Assert.Equal(messages.Select(m => m.Value), ReadRecords(broker, "t", 2).Select(r => Text(r.Value)));
    }

    [Fact]
    public async Task ProduceBatchAsync_OneRecordRefusedByTheLog_OthersDeliveredAndEachOutcomeReported()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("t", 1, new TopicConfig([new("max.message.bytes", "2000")]), Ct);
        // batch.size 1: every record is its own batch, so the large one fails alone.
        await using var producer = broker.CreateProducer<Null, byte[]>(Settings(batchSize: 1));
        var messages = Enumerable.Range(0, 10).Select(i => new Message<Null, byte[]> { Value = new byte[i == 4 ? 5000 : 100] }).ToList();
        messages.ForEach(m => m.Value![0] = (byte)messages.IndexOf(m));

        var e = await Assert.ThrowsAsync<ProduceBatchException<Null, byte[]>>(async () => await producer.ProduceBatchAsync("t", messages, Ct));

        Assert.Equal(messages.Count, e.Results.Count);
        Assert.IsType<RecordTooLargeException>(e.Results[4].Error);
        Assert.Equal(Offset.Unset, e.Results[4].Offset);
        Assert.Contains(e.Results[4].Error!, e.InnerExceptions);
        Assert.Single(e.InnerExceptions);
        var delivered = e.Results.Where((_, i) => i != 4).ToList();
        Assert.All(delivered, r => Assert.True(r.IsSuccess));
        var stored = ReadRecords(broker, "t", 0);
        Assert.Equal(delivered.Select(r => r.Offset.Value), stored.Select(r => r.Offset));
        Assert.Equal(delivered.Select(r => r.Message.Value![0]), stored.Select(r => r.Value!.Value.Span[0]));
    }

    [Fact]
    public async Task ProduceBatchAsync_RecordCannotBeQueued_EarlierDeliveredLaterNotSent()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("t", 1, cancellationToken: Ct);
        await using var producer = broker.CreateProducer<Null, string>(Settings(), valueSerializer: new FailOn("bad"));
        var messages = new[] { "a", "b", "bad", "c", "d" }.Select(v => new Message<Null, string> { Value = v }).ToList();

        var e = await Assert.ThrowsAsync<ProduceBatchException<Null, string>>(async () => await producer.ProduceBatchAsync("t", messages, Ct));

        Assert.True(e.Results[0].IsSuccess);
        Assert.True(e.Results[1].IsSuccess);
        Assert.IsType<FormatException>(e.Results[2].Error);
        Assert.IsType<InvalidOperationException>(e.Results[3].Error);
        Assert.IsType<InvalidOperationException>(e.Results[4].Error);
        Assert.Equal(["a", "b"], ReadRecords(broker, "t", 0).Select(r => Text(r.Value)));
        Assert.Equal([0L, 1L], e.Results.Take(2).Select(r => r.Offset.Value));
    }

    [Fact]
    public async Task ProduceBatchAsync_NullMessageOrUnknownTopic_ThrowsBeforeSendingAnything()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("t", 1, cancellationToken: Ct);
        await using var producer = broker.CreateProducer<Null, string>(Settings());

        var e = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await producer.ProduceBatchAsync("t", [new Message<Null, string> { Value = "a" }, null!], Ct));
        Assert.Contains("Message 1", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<UnknownTopicOrPartitionException>(async () =>
            await producer.ProduceBatchAsync("nope", [new Message<Null, string> { Value = "a" }], Ct));
        Assert.Empty(ReadRecords(broker, "t", 0));
        Assert.Empty(await producer.ProduceBatchAsync("t", [], Ct));
    }

    private sealed class FailOn(string bad) : ISerializer<string>
    {
        public void Serialize(string data, IBufferWriter<byte> output, SerializationContext context)
        {
            if (data == bad)
            {
                throw new FormatException($"cannot serialize '{bad}'");
            }

            Serializers.Utf8.Serialize(data, output, context);
        }
    }
}

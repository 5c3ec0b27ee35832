using CommitLog.Storage;
using static CommitLog.Tests.Producer.ProducerTestKit;

namespace CommitLog.Tests.Producer;

public class ProducerBackpressureTests
{
    private static async Task<CommitLog.Broker> OpenGatedAsync(GatedStorage storage)
    {
        var broker = await CommitLog.Broker.OpenAsync(
            "/gated/data", new BrokerOptions { LogOptions = new LogOptions { Storage = storage, RetentionCheckInterval = null } }, Ct);
        await broker.Admin.CreateTopicAsync("t", 1, cancellationToken: Ct);
        return broker;
    }

    [Fact]
    public async Task ProduceAsync_LogSlowerThanProducer_BufferStaysWithinBoundThenTimesOut()
    {
        var storage = new GatedStorage();
        await using var broker = await OpenGatedAsync(storage);
        const long bufferMemory = 10_000;
        var producer = (Producer<Null, byte[]>)broker.CreateProducer<Null, byte[]>(
            Settings(lingerMs: 0, batchSize: 1000, bufferMemory: bufferMemory, maxBlockMs: 300));
        await using var _ = producer;
        storage.Close();

        // Each record holds 100 bytes of value plus 21 of record overhead until the log appended it.
        var accepted = new List<Task<DeliveryResult<Null, byte[]>>>();
        long maxUsed = 0;
        for (int i = 0; i < 1000 && producer.BufferedBytes + 121 <= bufferMemory; i++)
        {
            accepted.Add(producer.ProduceAsync("t", new Message<Null, byte[]> { Value = new byte[100] }, Ct).AsTask());
            maxUsed = Math.Max(maxUsed, producer.BufferedBytes);
        }

        Assert.All(accepted, t => Assert.False(t.IsCompleted));
        Task<DeliveryResult<Null, byte[]>> blocked = producer.ProduceAsync("t", new Message<Null, byte[]> { Value = new byte[100] }, Ct).AsTask();
        var exhausted = await Assert.ThrowsAsync<BufferExhaustedException>(() => blocked.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        maxUsed = Math.Max(maxUsed, producer.BufferedBytes);

        Assert.Contains("buffer.memory", exhausted.Message, StringComparison.Ordinal);
        Assert.Contains("max.block.ms", exhausted.Message, StringComparison.Ordinal);
        Assert.InRange(maxUsed, 1, bufferMemory);
        Assert.True(storage.BlockedWrites > 0);

        storage.Open();
        var results = await Task.WhenAll(accepted).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(results.Length, ReadRecords(broker, "t", 0).Count);
        Assert.Equal(0, producer.BufferedBytes);
    }

    [Fact]
    public async Task Produce_BufferFull_BlocksThenThrowsBufferExhausted()
    {
        var storage = new GatedStorage();
        await using var broker = await OpenGatedAsync(storage);
        await using var producer = broker.CreateProducer<Null, byte[]>(Settings(lingerMs: 0, batchSize: 0, bufferMemory: 1000, maxBlockMs: 200));
        storage.Close();

        var e = Assert.Throws<BufferExhaustedException>(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                producer.Produce("t", new Message<Null, byte[]> { Value = new byte[100] });
            }
        });

        Assert.Equal(1000, e.BufferMemory);
        storage.Open();
        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task ProduceAsync_RecordLargerThanBuffer_ThrowsAtOnce()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("t", 1, cancellationToken: Ct);
        await using var producer = broker.CreateProducer<Null, byte[]>(Settings(bufferMemory: 1000));

        var e = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await producer.ProduceAsync("t", new Message<Null, byte[]> { Value = new byte[2000] }, Ct));
        Assert.Contains("buffer.memory", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProduceAsync_LogStuckLongerThanDeliveryTimeout_FailsWithTimeout()
    {
        var storage = new GatedStorage();
        await using var broker = await OpenGatedAsync(storage);
        var config = new ProducerConfig(new Dictionary<string, string>
        {
            ["linger.ms"] = "0", ["request.timeout.ms"] = "100", ["delivery.timeout.ms"] = "300",
        });
        await using var producer = broker.CreateProducer<Null, string>(config);
        storage.Close();

        Task<DeliveryResult<Null, string>> send = producer.ProduceAsync("t", new Message<Null, string> { Value = "v" }, Ct).AsTask();
        var e = await Assert.ThrowsAsync<DeliveryTimeoutException>(() => send.WaitAsync(TimeSpan.FromSeconds(10), Ct));

        Assert.Equal(ErrorCode.RequestTimedOut, e.ErrorCode);
        Assert.Contains("delivery.timeout.ms", e.Message, StringComparison.Ordinal);
        storage.Open();
    }
}

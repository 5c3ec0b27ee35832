using System.Diagnostics;
using static CommitLog.Tests.Consumer.ConsumerTestKit;

namespace CommitLog.Tests.Consumer;

public class ConsumerWaitTests
{
    private static readonly TopicPartition Tp = new("t", 0);

    [Fact(Timeout = 30_000)]
    public async Task Consume_WaitingWithLongFetchWait_WokenPromptlyByAppend()
    {
        await using var broker = await BrokerWithTopicAsync();
        // fetch.max.wait.ms of 60 s: only an append can wake the fetch in time, a timer or polling loop would not.
        using var consumer = broker.CreateConsumer<string, string>(Settings(reset: "latest", maxWaitMs: 60_000));
        consumer.Assign([Tp]);
        var waiting = Task.Run(() => consumer.Consume(TimeSpan.FromSeconds(20)), TestContext.Current.CancellationToken);
        await Task.Delay(300, TestContext.Current.CancellationToken); // the consumer and its fetcher are now waiting

        var watch = Stopwatch.StartNew();
        await ProduceAsync(broker, Tp, 1);
        var record = await waiting;

        Assert.Equal("v0", record!.Message.Value);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"the record arrived after {watch.Elapsed}");
    }

    [Fact(Timeout = 30_000)]
    public async Task Consume_MinBytesNotReached_ReturnsAfterMaxWait()
    {
        var ct = TestContext.Current.CancellationToken;
        ct.ThrowIfCancellationRequested();
        await using var broker = await BrokerWithTopicAsync();
        using var consumer = broker.CreateConsumer<string, string>(Settings(maxWaitMs: 300, minBytes: 1_000_000));
        consumer.Assign([Tp]);
        await ProduceAsync(broker, Tp, 1);

        var watch = Stopwatch.StartNew();
        var record = consumer.Consume(TimeSpan.FromSeconds(10));

        Assert.Equal("v0", record!.Message.Value);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));
    }

    [Fact(Timeout = 30_000)]
    public async Task ConsumeAsync_Cancelled_EndsWithOperationCanceled()
    {
        await using var broker = await BrokerWithTopicAsync();
        await ProduceAsync(broker, Tp, 3);
        using var consumer = broker.CreateConsumer<string, string>(Settings());
        consumer.Assign([Tp]);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var seen = new List<long>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var record in consumer.ConsumeAsync(cts.Token))
            {
                seen.Add(record.Offset.Value);
                if (seen.Count == 3)
                {
                    cts.CancelAfter(100); // cancels the wait for a fourth record
                }
            }
        });

        Assert.Equal([0L, 1L, 2L], seen);
    }

    [Fact(Timeout = 30_000)]
    public async Task Dispose_WhileConsumeWaits_ConsumeThrowsObjectDisposed()
    {
        await using var broker = await BrokerWithTopicAsync();
        var consumer = broker.CreateConsumer<string, string>(Settings(maxWaitMs: 60_000));
        consumer.Assign([Tp]);
        var waiting = Task.Run(() => consumer.Consume(TimeSpan.FromSeconds(20)), TestContext.Current.CancellationToken);
        await Task.Delay(200, TestContext.Current.CancellationToken);

        var watch = Stopwatch.StartNew();
        await consumer.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"dispose and wake-up took {watch.Elapsed}");
        Assert.Throws<ObjectDisposedException>(() => consumer.Consume(TimeSpan.Zero));
        Assert.Equal(0, ((Consumer<string, string>)consumer).Budget.InUse);
    }

    [Fact(Timeout = 60_000)]
    public async Task Dispose_RacingBusyConsume_NoCorruptRecordsAndBuffersReturned()
    {
        await using var broker = await BrokerWithTopicAsync(partitions: 2);
        await ProduceAsync(broker, Tp, 2000);
        await ProduceAsync(broker, new TopicPartition("t", 1), 2000);
        for (int round = 0; round < 5; round++)
        {
            var consumer = broker.CreateConsumer<string, string>(Settings(maxPartitionFetchBytes: 4096));
            consumer.Assign([Tp, new TopicPartition("t", 1)]);
            var consuming = Task.Run(() =>
            {
                try
                {
                    while (true)
                    {
                        if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } r)
                        {
                            Assert.Equal($"v{r.Offset.Value}", r.Message.Value);
                        }
                    }
                }
                catch (ObjectDisposedException)
                {
                }
            }, TestContext.Current.CancellationToken);
            await Task.Delay(5 * round, TestContext.Current.CancellationToken);
            await consumer.DisposeAsync();
            await consuming;
            Assert.Equal(0, ((Consumer<string, string>)consumer).Budget.InUse);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Prefetch_ConsumerNotConsuming_HeldBytesStayWithinFetchMaxBytes()
    {
        var ct = TestContext.Current.CancellationToken;
        ct.ThrowIfCancellationRequested();
        await using var broker = await BrokerWithTopicAsync(partitions: 4);
        const int fetchMaxBytes = 64 * 1024;
        const int partitionBytes = 16 * 1024;
        using var consumer = broker.CreateConsumer<string, string>(Settings(maxPartitionFetchBytes: partitionBytes, fetchMaxBytes: fetchMaxBytes));
        var partitions = Enumerable.Range(0, 4).Select(p => new TopicPartition("t", p)).ToList();
        consumer.Assign(partitions);
        foreach (var tp in partitions)
        {
            await ProduceAsync(broker, tp, 5000); // ~200 KB per partition, far more than the budget
        }

        var impl = (Consumer<string, string>)consumer;
        long peak = 0;
        for (int i = 0; i < 40; i++)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
            peak = Math.Max(peak, impl.Budget.InUse);
        }

        Assert.True(peak > 0, "the fetchers should have prefetched something");
        Assert.True(peak <= fetchMaxBytes, $"prefetched {peak} bytes, more than fetch.max.bytes {fetchMaxBytes}");

        // Everything still arrives once the consumer consumes, and memory stays bounded meanwhile.
        var records = ConsumeRecords(consumer, 20_000);
        Assert.Equal(20_000, records.Count);
        Assert.True(impl.Budget.InUse <= fetchMaxBytes);
        foreach (var partition in records.GroupBy(r => r.Partition.Value))
        {
            Assert.Equal(Enumerable.Range(0, 5000).Select(i => (long)i), partition.Select(r => r.Offset.Value));
        }
    }
}

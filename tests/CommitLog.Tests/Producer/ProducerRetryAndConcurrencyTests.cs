using CommitLog.Storage;
using static CommitLog.Tests.Producer.ProducerTestKit;

namespace CommitLog.Tests.Producer;

public class ProducerRetryAndConcurrencyTests
{
    private static async Task<CommitLog.Broker> OpenAsync(GatedStorage storage, int partitions = 1)
    {
        var broker = await CommitLog.Broker.OpenAsync(
            "/gated/data", new BrokerOptions { LogOptions = new LogOptions { Storage = storage, RetentionCheckInterval = null } }, Ct);
        await broker.Admin.CreateTopicAsync("t", partitions, cancellationToken: Ct);
        return broker;
    }

    [Fact]
    public async Task ProduceAsync_RetriableAppendFailures_RetriedOnceStoredOnce()
    {
        var storage = new GatedStorage();
        await using var broker = await OpenAsync(storage);
        await using var producer = broker.CreateProducer<Null, string>(Settings());
        storage.FailLogWrites = 2;

        var result = await producer.ProduceAsync("t", new Message<Null, string> { Value = "v" }, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(0, result.Offset.Value);
        var (header, records) = Assert.Single(ReadBatches(broker, "t", 0));
        Assert.Equal("v", Text(Assert.Single(records).Value));
        Assert.Equal(0, header.BaseSequence);
    }

    [Fact]
    public async Task ProduceAsync_RetriesZero_FailureReported()
    {
        var storage = new GatedStorage();
        await using var broker = await OpenAsync(storage);
        var config = new ProducerConfig(new Dictionary<string, string> { ["retries"] = "0", ["linger.ms"] = "0" });
        await using var producer = broker.CreateProducer<Null, string>(config);
        storage.FailLogWrites = 1;

        var e = await Assert.ThrowsAsync<LogStorageException>(
            async () => await producer.ProduceAsync("t", new Message<Null, string> { Value = "v" }, Ct));

        Assert.True(e.IsRetriable);
        Assert.Empty(ReadBatches(broker, "t", 0));
    }

    [Fact]
    public async Task ProduceAsync_ConcurrentProducersOnePartition_EachProducersOrderKept()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("t", 1, cancellationToken: Ct);
        const int producers = 4;
        const int perProducer = 300;

        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            await using var producer = broker.CreateProducer<string, string>(Settings(lingerMs: 1, batchSize: 512));
            var sends = new List<Task<DeliveryResult<string, string>>>();
            for (int i = 0; i < perProducer; i++)
            {
                sends.Add(producer.ProduceAsync(new TopicPartition("t", 0), new Message<string, string> { Key = $"p{p}", Value = $"{i}" }, Ct).AsTask());
            }

            var results = await Task.WhenAll(sends);
            Assert.Equal(results.Select(r => r.Offset.Value).Order(), results.Select(r => r.Offset.Value));
        }, Ct)));

        var stored = ReadBatches(broker, "t", 0);
        for (int p = 0; p < producers; p++)
        {
            var values = stored.SelectMany(b => b.Records).Where(r => Text(r.Key) == $"p{p}").Select(r => int.Parse(Text(r.Value), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(Enumerable.Range(0, perProducer), values);
        }

        foreach (var batches in stored.GroupBy(b => b.Header.ProducerId))
        {
            int expected = 0;
            foreach (var (header, records) in batches)
            {
                Assert.Equal(expected, header.BaseSequence);
                expected += records.Count;
            }
        }

        Assert.Equal(producers, stored.Select(b => b.Header.ProducerId).Distinct().Count());
    }

    [Fact]
    public async Task DisposeAsync_RacingProduce_EveryAcknowledgedRecordIsStored()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("t", 2, cancellationToken: Ct);
        var producer = broker.CreateProducer<string, string>(Settings(lingerMs: 2, batchSize: 256));
        var sends = new System.Collections.Concurrent.ConcurrentQueue<Task<DeliveryResult<string, string>>>();
        var reports = new System.Collections.Concurrent.ConcurrentQueue<DeliveryReport<string, string>>();
        using var started = new SemaphoreSlim(0);

        Task racer = Task.Run(() =>
        {
            for (int i = 0; ; i++)
            {
                try
                {
                    if (i % 2 == 0)
                    {
                        sends.Enqueue(producer.ProduceAsync("t", new Message<string, string> { Key = $"k{i % 9}", Value = $"a{i}" }, Ct).AsTask());
                    }
                    else
                    {
                        producer.Produce("t", new Message<string, string> { Key = $"k{i % 9}", Value = $"f{i}" }, reports.Enqueue);
                    }
                }
                catch (ObjectDisposedException)
                {
                    return;
                }

                if (i == 200)
                {
                    started.Release();
                }
            }
        }, Ct);

        await started.WaitAsync(Ct);
        await producer.DisposeAsync();
        await racer.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        var outcomes = await Task.WhenAll(sends.Select(async t =>
        {
            try
            {
                var r = await t.WaitAsync(TimeSpan.FromSeconds(10), Ct);
                return (r.Partition.Value, r.Offset.Value, r.Value!);
            }
            catch (ObjectDisposedException)
            {
                return (-1, -1L, "");
            }
        }));

        var acknowledged = outcomes.Where(o => o.Item1 >= 0)
            .Concat(reports.Where(r => r.IsSuccess).Select(r => (r.Partition.Value, r.Offset.Value, r.Message.Value!)))
            .ToList();
        Assert.NotEmpty(acknowledged);
        foreach (var (partition, offset, value) in acknowledged)
        {
            Assert.Equal(value, Text(ReadRecords(broker, "t", partition).Single(r => r.Offset == offset).Value));
        }
    }
}

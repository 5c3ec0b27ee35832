using CommitLog.Tests.Broker;
using static CommitLog.Tests.Producer.ProducerTestKit;

namespace CommitLog.Tests.Producer;

public class ProducerBatchingTests
{
    [Fact]
    public async Task ProduceAsync_Linger_BatchSentOnlyWhenLingerElapses()
    {
        using var kind = BrokerKind.Create("memory");
        await using var broker = await kind.OpenAsync();
        await broker.Admin.CreateTopicAsync("t", 1, cancellationToken: Ct);
        await using var producer = broker.CreateProducer<Null, string>(Settings(lingerMs: 10));

        var pending = Enumerable.Range(0, 3).Select(i => producer.ProduceAsync("t", new Message<Null, string> { Value = $"v{i}" }, Ct).AsTask()).ToList();
        kind.Time.Advance(TimeSpan.FromMilliseconds(9));
        await Task.Delay(50, Ct);
        Assert.All(pending, t => Assert.False(t.IsCompleted));
        Assert.Empty(ReadBatches(broker, "t", 0));

        kind.Time.Advance(TimeSpan.FromMilliseconds(1));
        var results = await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        var (header, records) = Assert.Single(ReadBatches(broker, "t", 0));
        Assert.Equal(3, header.RecordsCount);
        Assert.Equal(["v0", "v1", "v2"], records.Select(r => Text(r.Value)));
        Assert.Equal([0L, 1, 2], results.Select(r => r.Offset.Value));
    }

    [Fact]
    public async Task ProduceAsync_BatchSizeReached_SealedWithoutWaitingForLinger()
    {
        using var kind = BrokerKind.Create("memory");
        await using var broker = await kind.OpenAsync();
        await broker.Admin.CreateTopicAsync("t", 1, cancellationToken: Ct);
        await using var producer = broker.CreateProducer<Null, byte[]>(Settings(lingerMs: 60_000, batchSize: 1000));

        // Each record costs 100 bytes of value plus overhead, so at most 9 fit below 1000 bytes.
        var pending = Enumerable.Range(0, 20).Select(i => producer.ProduceAsync("t", new Message<Null, byte[]> { Value = new byte[100] }, Ct).AsTask()).ToList();
        await Task.WhenAll(pending.Take(9)).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        var batches = ReadBatches(broker, "t", 0);
        Assert.NotEmpty(batches);
        Assert.All(batches, b => Assert.True(b.Header.TotalSize <= 1000 + 61, $"batch of {b.Header.TotalSize} bytes"));
        Assert.Contains(pending, t => !t.IsCompleted); // the open tail batch still lingers (fake clock)

        await producer.FlushAsync(Ct);
        Assert.Equal(20, ReadRecords(broker, "t", 0).Count);
    }

    [Fact]
    public async Task ProduceAsync_BatchSizeZero_EveryRecordItsOwnBatch()
    {
        using var kind = BrokerKind.Create("memory");
        await using var broker = await kind.OpenAsync();
        await broker.Admin.CreateTopicAsync("t", 1, cancellationToken: Ct);
        await using var producer = broker.CreateProducer<Null, string>(Settings(lingerMs: 60_000, batchSize: 0));

        await Task.WhenAll(Enumerable.Range(0, 5).Select(i => producer.ProduceAsync("t", new Message<Null, string> { Value = $"{i}" }, Ct).AsTask()))
            .WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.All(ReadBatches(broker, "t", 0), b => Assert.Equal(1, b.Header.RecordsCount));
    }

    [Fact]
    public async Task FlushAsync_LingeringBatch_SentAtOnce()
    {
        using var kind = BrokerKind.Create("memory");
        await using var broker = await kind.OpenAsync();
        await broker.Admin.CreateTopicAsync("t", 2, cancellationToken: Ct);
        await using var producer = broker.CreateProducer<string, string>(Settings(lingerMs: 60_000));

        var pending = Enumerable.Range(0, 10).Select(i => producer.ProduceAsync("t", new Message<string, string> { Key = $"{i}", Value = "v" }, Ct).AsTask()).ToList();
        await producer.FlushAsync(Ct);

        // The fake clock never reaches linger.ms: only the flush can have sent them.
        Assert.Equal(10, ReadRecords(broker, "t", 0).Count + ReadRecords(broker, "t", 1).Count);
        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }
}

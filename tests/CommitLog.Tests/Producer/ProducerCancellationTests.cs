using CommitLog.Storage;
using static CommitLog.Tests.Producer.ProducerTestKit;

namespace CommitLog.Tests.Producer;

/// <summary>
/// A produce's token cancels waits, never a queued record: before the record is queued (waiting for buffer space) it
/// is not sent; once queued, the task ends canceled and the record is still delivered.
/// </summary>
public class ProducerCancellationTests
{
    private static async Task<CommitLog.Broker> OpenGatedAsync(GatedStorage storage)
    {
        var broker = await CommitLog.Broker.OpenAsync(
            "/gated/data", new BrokerOptions { LogOptions = new LogOptions { Storage = storage, RetentionCheckInterval = null } }, Ct);
        await broker.Admin.CreateTopicAsync("t", 1, cancellationToken: Ct);
        return broker;
    }

    [Fact]
    public async Task ProduceAsync_CanceledAfterQueued_TaskCanceledAndRecordStillDelivered()
    {
        var storage = new GatedStorage();
        await using var broker = await OpenGatedAsync(storage);
        await using var producer = broker.CreateProducer<Null, string>(Settings(lingerMs: 0));
        storage.Close();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        Task<DeliveryResult<Null, string>> send = producer.ProduceAsync("t", new Message<Null, string> { Value = "queued" }, cts.Token).AsTask();
        await WaitUntilAsync(() => storage.BlockedWrites > 0); // queued and being appended
        cts.Cancel();

        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Equal(cts.Token, e.CancellationToken);
        Assert.Empty(ReadRecords(broker, "t", 0));

        storage.Open();
        await producer.FlushAsync(Ct);
        Assert.Equal(["queued"], ReadRecords(broker, "t", 0).Select(r => Text(r.Value)));

        // The late report of the canceled record must not leak into the pooled completions of later sends.
        for (int i = 0; i < 20; i++)
        {
            var result = await producer.ProduceAsync("t", new Message<Null, string> { Value = $"after-{i}" }, Ct);
            Assert.Equal($"after-{i}", result.Message.Value);
            Assert.Equal(i + 1, result.Offset.Value);
        }
    }

    [Fact]
    public async Task ProduceAsync_CanceledWhileWaitingForBufferSpace_RecordNotSent()
    {
        var storage = new GatedStorage();
        await using var broker = await OpenGatedAsync(storage);
        var producer = (Producer<Null, string>)broker.CreateProducer<Null, string>(Settings(lingerMs: 0, batchSize: 100, bufferMemory: 1000));
        await using var _ = producer;
        storage.Close();
        var accepted = new List<Task<DeliveryResult<Null, string>>>();
        int n = 0;
        while (producer.BufferedBytes + 200 <= 1000)
        {
            accepted.Add(producer.ProduceAsync("t", new Message<Null, string> { Value = $"fill-{n++}".PadRight(100) }, Ct).AsTask());
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        Task<DeliveryResult<Null, string>> waiting = producer.ProduceAsync(
            "t", new Message<Null, string> { Value = "never".PadRight(500) }, cts.Token).AsTask();
        await Task.Delay(50, Ct);
        Assert.False(waiting.IsCompleted); // waiting for buffer space
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        storage.Open();
        await Task.WhenAll(accepted).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await producer.FlushAsync(Ct);
        var stored = ReadRecords(broker, "t", 0).Select(r => Text(r.Value).Trim()).ToList();
        Assert.Equal(accepted.Count, stored.Count);
        Assert.DoesNotContain("never", stored);
    }

    [Fact]
    public async Task ProduceBatchAsync_CanceledAfterQueued_ThrowsCanceledAndQueuedRecordsStillDelivered()
    {
        var storage = new GatedStorage();
        await using var broker = await OpenGatedAsync(storage);
        await using var producer = broker.CreateProducer<Null, string>(Settings(lingerMs: 0));
        storage.Close();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var messages = Enumerable.Range(0, 10).Select(i => new Message<Null, string> { Value = $"v{i}" }).ToList();

        Task<IReadOnlyList<DeliveryResult<Null, string>>> batch = producer.ProduceBatchAsync("t", messages, cts.Token).AsTask();
        await WaitUntilAsync(() => storage.BlockedWrites > 0);
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => batch.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        storage.Open();
        await producer.FlushAsync(Ct);
        Assert.Equal(messages.Select(m => m.Value), ReadRecords(broker, "t", 0).Select(r => Text(r.Value)));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the condition");
            await Task.Delay(5, Ct);
        }
    }
}

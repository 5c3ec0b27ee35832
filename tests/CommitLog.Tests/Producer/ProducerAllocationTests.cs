using static CommitLog.Tests.Producer.ProducerTestKit;

namespace CommitLog.Tests.Producer;

public class ProducerAllocationTests
{
    private static readonly Action<DeliveryReport<Null, byte[]>> Handler = static _ => { };

    [Fact]
    public async Task Produce_FireAndForgetSteadyState_NoAllocationPerRecordOnCallingThread()
    {
        // Real files: the in-memory storage grows its buffers as data arrives, which would be counted whenever the
        // producer's send runs inline on the calling thread.
        var root = Path.Combine(Path.GetTempPath(), "commitlog-alloc-" + Guid.NewGuid().ToString("N"));
        try
        {
            await MeasureAsync(root);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task MeasureAsync(string root)
    {
        await using var broker = await CommitLog.Broker.OpenAsync(root, cancellationToken: Ct);
        await broker.Admin.CreateTopicAsync("t", 4, cancellationToken: Ct);
        await using var producer = broker.CreateProducer<Null, byte[]>(Settings(lingerMs: 5, acks: Acks.Leader, idempotence: false));
        var message = new Message<Null, byte[]> { Value = new byte[100] };
        var tp = new TopicPartition("t", 1);

        for (int i = 0; i < 20_000; i++)
        {
            producer.Produce(tp, message, Handler);
        }

        producer.Flush(TimeSpan.FromSeconds(30));
        // Three trials, the smallest counts: an allocation made per record shows in every trial, while one-off work
        // (a new pooled batch when the sender lags under a loaded test run, tiered JIT) lands in one trial at most.
        const int records = 20_000;
        var best = long.MaxValue;
        for (int trial = 0; trial < 3; trial++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < records; i++)
            {
                producer.Produce(tp, message, Handler);
            }

            best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        // The smallest object is 24 bytes: anything allocated per record would show as >= 24 bytes per record.
        Assert.True(best < records * 4L, $"{best} bytes allocated on the calling thread for {records} records (best of 3 trials)");
    }
}

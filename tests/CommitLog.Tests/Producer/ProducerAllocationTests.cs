using static CommitLog.Tests.Producer.ProducerTestKit;

namespace CommitLog.Tests.Producer;

public class ProducerAllocationTests
{
    private static readonly Action<DeliveryReport<Null, byte[]>> Handler = static _ => { };

    [Fact]
    public async Task Produce_FireAndForgetSteadyState_NoAllocationPerRecordOnCallingThread()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("t", 4, cancellationToken: Ct);
        await using var producer = broker.CreateProducer<Null, byte[]>(Settings(lingerMs: 5, acks: Acks.Leader, idempotence: false));
        var message = new Message<Null, byte[]> { Value = new byte[100] };
        var tp = new TopicPartition("t", 1);

        for (int i = 0; i < 20_000; i++)
        {
            producer.Produce(tp, message, Handler);
        }

        producer.Flush(TimeSpan.FromSeconds(30));
        const int records = 50_000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < records; i++)
        {
            producer.Produce(tp, message, Handler);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        // The smallest object is 24 bytes: anything allocated per record would show as >= 24 bytes per record. What
        // remains is per batch (a new pooled batch or buffer when the senders lag, as under a loaded test run).
        Assert.True(allocated < records * 4L, $"{allocated} bytes allocated on the calling thread for {records} records");
    }
}

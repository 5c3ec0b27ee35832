using static CommitLog.Tests.Consumer.ConsumerTestKit;

namespace CommitLog.Tests.Consumer;

public class ConsumerAllocationTests
{
    private static readonly TopicPartition Tp = new("t", 0);

    [Fact]
    public async Task TryConsume_IgnoreDeserializers_NoAllocationPerRecord()
    {
        await using var broker = await BrokerWithTopicAsync();
        const int records = 20_000;
        await using (var producer = broker.CreateProducer<Null, byte[]>(ProducerSettings(lingerMs: 5)))
        {
            var message = new Message<Null, byte[]> { Value = new byte[100] };
            for (int i = 0; i < records; i++)
            {
                producer.Produce(Tp, message);
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        }

        // Everything fits one prefetch budget, so the measured loop only decodes records already fetched.
        await using var consumer = broker.CreateConsumer<Ignore, Ignore>(Settings(maxPartitionFetchBytes: 8 << 20, fetchMaxBytes: 16 << 20));
        consumer.Assign([Tp]);
        Assert.True(await consumer.WaitToConsumeAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.True(consumer.TryConsume(out var first));
        Assert.Equal(0, first.Offset.Value);
        for (int i = 0; i < 50 && ((Consumer<Ignore, Ignore>)consumer).Budget.InUse < records * 100L; i++)
        {
            await Task.Delay(20, Ct); // let the fetcher bring in the whole partition
        }

        int taken = 1;
        int outOfOrder = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        while (taken < records && consumer.TryConsume(out var record))
        {
            outOfOrder += record.Offset.Value == taken ? 0 : 1; // no Assert in the loop: it allocates
            taken++;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, outOfOrder);
        Assert.True(taken > records / 2, $"only {taken} records were fetched ahead");
        // The smallest object is 24 bytes: anything allocated per record would show as >= 24 bytes per record.
        Assert.True(allocated < taken * 4L, $"{allocated} bytes allocated for {taken} records");
    }
}

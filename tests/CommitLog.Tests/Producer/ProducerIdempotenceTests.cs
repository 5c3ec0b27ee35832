using CommitLog.Tests.Broker;
using static CommitLog.Tests.Producer.ProducerTestKit;

namespace CommitLog.Tests.Producer;

public class ProducerIdempotenceTests
{
    [Fact]
    public async Task ProduceAsync_Idempotent_BatchesCarryProducerIdEpochAndContinuousSequences()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("t", 3, cancellationToken: Ct);
        await using var producer = broker.CreateProducer<string, string>(Settings(lingerMs: 0, batchSize: 200));

        for (int round = 0; round < 5; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
                producer.ProduceAsync("t", new Message<string, string> { Key = $"k{i % 7}", Value = $"value-{round}-{i}" }, Ct).AsTask()));
        }

        var ids = new HashSet<long>();
        for (int p = 0; p < 3; p++)
        {
            int expected = 0;
            foreach (var (header, records) in ReadBatches(broker, "t", p))
            {
                ids.Add(header.ProducerId);
                Assert.Equal(0, header.ProducerEpoch);
                Assert.Equal(expected, header.BaseSequence);
                expected += records.Count;
            }
        }

        long id = Assert.Single(ids);
        Assert.True(id >= 0);
    }

    [Fact]
    public async Task ProduceAsync_NotIdempotent_NoProducerFields()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("t", 1, cancellationToken: Ct);
        await using var producer = broker.CreateProducer<string, string>(Settings(acks: Acks.Leader, idempotence: false));

        await producer.ProduceAsync("t", new Message<string, string> { Value = "v" }, Ct);

        var (header, _) = Assert.Single(ReadBatches(broker, "t", 0));
        Assert.Equal(-1, header.ProducerId);
        Assert.Equal(-1, header.BaseSequence);
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("disk")]
    public async Task AllocateProducerId_AcrossReopen_NeverRepeats(string kindName)
    {
        using var kind = BrokerKind.Create(kindName);
        var seen = new List<long>();
        for (int run = 0; run < 3; run++)
        {
            await using var broker = await kind.OpenAsync();
            for (int i = 0; i < 4; i++)
            {
                seen.Add(broker.AllocateProducerId());
            }
        }

        Assert.Equal(12, seen.Distinct().Count());
        Assert.Equal(seen.Order(), seen);
    }

    [Fact]
    public async Task AllocateProducerId_DamagedFile_ThrowsCorrupt()
    {
        using var kind = BrokerKind.Create("memory");
        await using (var broker = await kind.OpenAsync())
        {
            broker.AllocateProducerId();
        }

        string path = Path.Combine(kind.DataDirectory, CommitLog.Broker.ProducerIdFileName);
        using (var file = kind.Storage!.OpenFile(path, create: false))
        {
            file.Write(3, [0xFF]);
        }

        await using var reopened = await kind.OpenAsync();
        var e = Assert.Throws<CommitLog.Storage.CorruptRecordException>(() => reopened.AllocateProducerId());
        Assert.Contains("producer id", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProduceAsync_AfterBatchFailedForGood_NewEpochRestartsSequenceAndLogAccepts()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("t", 1, new TopicConfig { MaxMessageBytes = 1000 }, Ct);
        await using var producer = broker.CreateProducer<Null, byte[]>(Settings(lingerMs: 0));

        await producer.ProduceAsync("t", new Message<Null, byte[]> { Value = new byte[10] }, Ct);
        await Assert.ThrowsAsync<CommitLog.Storage.RecordTooLargeException>(
            async () => await producer.ProduceAsync("t", new Message<Null, byte[]> { Value = new byte[5000] }, Ct));
        var after = await producer.ProduceAsync("t", new Message<Null, byte[]> { Value = new byte[20] }, Ct);
        var last = await producer.ProduceAsync("t", new Message<Null, byte[]> { Value = new byte[30] }, Ct);

        Assert.Equal([0L, 1], [after.Offset.Value - 1, last.Offset.Value - 1]);
        var headers = ReadBatches(broker, "t", 0).Select(b => b.Header).ToList();
        Assert.Equal([(short)0, 1, 1], headers.Select(h => h.ProducerEpoch));
        Assert.Equal([0, 0, 1], headers.Select(h => h.BaseSequence));
    }

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(5, 10, 15)]
    [InlineData(int.MaxValue, 1, 0)]
    [InlineData(int.MaxValue - 2, 5, 2)]
    public void NextSequence_Wraps_AsKafkaDoes(int sequence, int records, int expected)
        => Assert.Equal(expected, PartitionSender<string, string>.NextSequence(sequence, records));
}

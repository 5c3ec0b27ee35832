using System.Collections.Concurrent;
using System.Globalization;
using CommitLog.Storage;
using static CommitLog.Tests.Producer.ProducerTestKit;

namespace CommitLog.Tests.Producer;

/// <summary>
/// Lost acknowledgements end to end: the append reaches the log, the producer sees a retriable failure and retries the
/// same batch bytes. With idempotence the log recognizes the retry, so every record is stored once (reliability R9).
/// </summary>
public class ProducerDedupTests
{
    private const int Partitions = 3;
    private const int Rounds = 12;
    private const int PerRound = 30;
    private const int Keys = 7;

    [Theory]
    [InlineData("memory")]
    [InlineData("disk")]
    public async Task ProduceAsync_IdempotentLostAcks_EveryRecordStoredOnceAtItsDeliveredOffset(string kind)
    {
        string? directory = kind == "disk" ? Directory.CreateTempSubdirectory("commitlog-dedup-").FullName : null;
        try
        {
            await using var broker = directory is null
                ? CommitLog.Broker.CreateInMemory()
                : await CommitLog.Broker.OpenAsync(directory, cancellationToken: Ct);

            var run = await ProduceWithLostAcksAsync(broker, idempotence: true);

            for (int p = 0; p < Partitions; p++)
            {
                Assert.True(run.Appends.Count(a => a.Partition == p && a.Lost) >= 3, $"partition {p} lost too few acknowledgements");
            }

            AssertStoredExactlyOnce(run);
            AssertRetriesRecognized(run);
            Assert.Contains(run.Appends, a => a.Lost && a.Result.IsDuplicate); // a retry whose acknowledgement was lost as well
        }
        finally
        {
            if (directory is not null)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Fact]
    public async Task ProduceAsync_NotIdempotentLostAcks_RetriesStoreDuplicates()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();

        var run = await ProduceWithLostAcksAsync(broker, idempotence: false);

        Assert.DoesNotContain(run.Appends, a => a.Result.IsDuplicate);
        long lostRecords = run.Appends.Where(a => a.Lost).Sum(a => a.Result.LastOffset - a.Result.FirstOffset + 1);
        Assert.True(lostRecords > 0);
        Assert.Equal(run.Sent.Count + lostRecords, run.Stored.Values.Sum(records => (long)records.Count));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertStoredExactlyOnce(run));
    }

    /// <summary>Produces <see cref="Rounds"/> rounds of keyed records, losing the acknowledgement of appends 1, 2 (its
    /// retry too), 5, 9, 10, 13... of every partition.</summary>
    private static async Task<Run> ProduceWithLostAcksAsync(CommitLog.Broker broker, bool idempotence)
    {
        await broker.Admin.CreateTopicAsync("t", Partitions, cancellationToken: Ct);
        var appends = new ConcurrentQueue<Append>();
        var calls = new ConcurrentDictionary<int, int>();
        var sent = new List<(string, string)>();
        var delivered = new List<DeliveryResult<string, string>>();
        await using (var producer = (Producer<string, string>)broker.CreateProducer<string, string>(
            Settings(lingerMs: 0, batchSize: 200, idempotence: idempotence)))
        {
            producer.LoseAcknowledgement = (tp, result) =>
            {
                int call = calls.AddOrUpdate(tp.Partition.Value, 0, (_, n) => n + 1);
                bool lose = call % 4 == 1 || call % 8 == 2;
                appends.Enqueue(new Append(tp.Partition.Value, result, lose));
                return lose;
            };

            for (int round = 0; round < Rounds; round++)
            {
                var sends = new List<Task<DeliveryResult<string, string>>>();
                for (int i = 0; i < PerRound; i++)
                {
                    var message = new Message<string, string>
                    {
                        Key = $"k{i % Keys}", Value = string.Create(CultureInfo.InvariantCulture, $"r{round:D2}-{i:D2}"),
                    };
                    sent.Add((message.Key, message.Value));
                    sends.Add(producer.ProduceAsync("t", message, Ct).AsTask());
                }

                delivered.AddRange(await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(60), Ct));
            }
        }

        var stored = Enumerable.Range(0, Partitions).ToDictionary(p => p, p => ReadStored(broker, p));
        return new Run(sent, delivered, [.. appends], stored);
    }

    /// <summary>Every append after a lost acknowledgement is the retry the log recognized: nothing appended, the
    /// original offsets returned; every other append continues the partition's offsets.</summary>
    private static void AssertRetriesRecognized(Run run)
    {
        for (int p = 0; p < Partitions; p++)
        {
            Append? previous = null;
            long next = 0;
            foreach (Append append in run.Appends.Where(a => a.Partition == p))
            {
                if (previous is { Lost: true })
                {
                    Assert.True(append.Result.IsDuplicate, $"partition {p}: the retry at {append.Result.FirstOffset} was appended again");
                    Assert.Equal((previous.Result.FirstOffset, previous.Result.LastOffset), (append.Result.FirstOffset, append.Result.LastOffset));
                }
                else
                {
                    Assert.False(append.Result.IsDuplicate);
                    Assert.Equal(next, append.Result.FirstOffset);
                    next = append.Result.LastOffset + 1;
                }

                previous = append;
            }

            Assert.False(previous!.Lost);
            Assert.Equal(next, run.Stored[p].Count);
        }
    }

    /// <summary>Each record sent is stored exactly once, each key's records in the order sent, and each delivery result
    /// names the offset where its record is stored.</summary>
    private static void AssertStoredExactlyOnce(Run run)
    {
        var stored = run.Stored.SelectMany(s => s.Value.Select(r => (Partition: s.Key, r.Offset, r.Key, r.Value))).ToList();
        Assert.Equal(run.Sent.Order(), stored.Select(r => (r.Key, r.Value)).Order());
        foreach (var records in run.Stored.Values)
        {
            Assert.Equal(Enumerable.Range(0, records.Count).Select(i => (long)i), records.Select(r => r.Offset));
        }

        for (int k = 0; k < Keys; k++)
        {
            string key = $"k{k}";
            Assert.Equal(
                run.Sent.Where(s => s.Key == key).Select(s => s.Value),
                stored.Where(r => r.Key == key).OrderBy(r => r.Offset).Select(r => r.Value));
        }

        var byPosition = stored.ToDictionary(r => (r.Partition, r.Offset), r => (r.Key, r.Value));
        Assert.Equal(run.Sent.Count, run.Delivered.Count);
        foreach (DeliveryResult<string, string> result in run.Delivered)
        {
            Assert.NotEqual(Durability.None, result.Durability);
            Assert.Equal((result.Key!, result.Value!), byPosition[(result.Partition.Value, result.Offset.Value)]);
        }
    }

    /// <summary>Every record of a partition, decoded while its read buffer is still held (it goes back to a pool).</summary>
    private static List<Stored> ReadStored(CommitLog.Broker broker, int partition)
    {
        var records = new List<Stored>();
        while (true)
        {
            long offset = records.Count == 0 ? 0 : records[^1].Offset + 1;
            using LogReadResult read = broker.Read(new TopicPartition("t", partition), offset, 1 << 20);
            if (read.Records.Length == 0)
            {
                return records;
            }

            foreach (RecordBatch batch in RecordBatch.ReadAll(read.Records))
            {
                foreach (CommitLog.Storage.Record record in batch.ToList())
                {
                    records.Add(new Stored(record.Offset, Text(record.Key), Text(record.Value)));
                }
            }
        }
    }

    private sealed record Stored(long Offset, string Key, string Value);

    private sealed record Append(int Partition, AppendResult Result, bool Lost);

    private sealed record Run(
        List<(string Key, string Value)> Sent, List<DeliveryResult<string, string>> Delivered, List<Append> Appends, Dictionary<int, List<Stored>> Stored);
}

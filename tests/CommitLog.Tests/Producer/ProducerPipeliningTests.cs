using System.Globalization;
using CommitLog.Storage;
using static CommitLog.Tests.Producer.ProducerTestKit;

namespace CommitLog.Tests.Producer;

/// <summary>
/// Up to <c>max.in.flight.requests.per.connection</c> batches per partition in flight: appends are issued in order,
/// answers come back in any order, some appends are refused (nothing written) or their acknowledgement is lost.
/// </summary>
public class ProducerPipeliningTests
{
    private const int Partitions = 2;
    private const int Records = 1500;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Produce_IdempotentFiveInFlightWithRefusalsAndLostAcks_EveryRecordOnceInOrderReportedInOrder(int seed)
    {
        var run = await RunAsync(seed, maxInFlight: 5, idempotence: true, refuse: 0.12, loseAck: 0.08);

        for (int p = 0; p < Partitions; p++)
        {
            Assert.InRange(run.Faults.MaxInFlight[p], 2, 5);
            Assert.Equal(run.Sent[p], run.Stored[p].Select(r => r.Value)); // each record once, in produce order
            AssertReportedInOrderAtStoredOffsets(run, p);
        }

        Assert.True(run.Faults.Refused > 5, $"only {run.Faults.Refused} appends were refused");
        Assert.True(run.Faults.Lost > 5, $"only {run.Faults.Lost} acknowledgements were lost");
    }

    [Fact]
    public async Task Produce_MaxInFlightOne_NeverTwoAppendsOutAndOrderKept()
    {
        var run = await RunAsync(seed: 4, maxInFlight: 1, idempotence: true, refuse: 0.12, loseAck: 0.08);

        for (int p = 0; p < Partitions; p++)
        {
            Assert.Equal(1, run.Faults.MaxInFlight[p]);
            Assert.Equal(run.Sent[p], run.Stored[p].Select(r => r.Value));
            AssertReportedInOrderAtStoredOffsets(run, p);
        }
    }

    [Fact]
    public async Task Produce_NotIdempotentFiveInFlightWithRefusals_EveryRecordStoredOnceAtItsReportedOffset()
    {
        // Without idempotence the log cannot tell the order, so a retry may land after later batches (as in Kafka); every
        // record is still stored once (refusals write nothing) and reported in produce order with its real offset.
        var run = await RunAsync(seed: 5, maxInFlight: 5, idempotence: false, refuse: 0.12, loseAck: 0);

        for (int p = 0; p < Partitions; p++)
        {
            Assert.InRange(run.Faults.MaxInFlight[p], 2, 5);
            Assert.Equal(run.Sent[p].Order(StringComparer.Ordinal), run.Stored[p].Select(r => r.Value).Order(StringComparer.Ordinal));
            Assert.Equal(run.Sent[p], run.Reports[p].Select(r => r.Message.Value));
            Assert.All(run.Reports[p], r => Assert.Null(r.Error));
            var stored = run.Stored[p].ToDictionary(r => r.Offset, r => r.Value);
            Assert.All(run.Reports[p], r => Assert.Equal(r.Message.Value, stored[r.Offset.Value]));
        }
    }

    [Fact]
    public async Task ProduceAsync_FirstOfThreeInFlightRefused_SuccessorsRefusedOutOfOrderAreResentAfterItInOrder()
    {
        var storage = new GatedStorage();
        await using var broker = await OpenAsync(storage, partitions: 1);
        var calls = new HeldAppends();
        await using var producer = (Producer<Null, string>)broker.CreateProducer<Null, string>(Config(maxInFlight: 5, idempotence: true, batchSize: 1, deliveryTimeoutMs: 20_000));
        producer.InterceptAppend = calls.Hold;
        var first = producer.ProduceAsync("t", new Message<Null, string> { Value = "w" }, Ct).AsTask();
        await calls.AnswerWithRealAsync(0);
        Assert.Equal(0, (await first).Offset.Value);

        var sends = new[] { "r1", "r2", "r3" }.Select(v => producer.ProduceAsync("t", new Message<Null, string> { Value = v }, Ct).AsTask()).ToArray();
        await calls.WaitForAsync(4); // all three out at once, none answered
        storage.FailLogWrites = 1;
        await calls.AnswerWithRealAsync(1); // refused: nothing written
        Assert.IsType<LogStorageException>(calls.Error(1));
        await calls.AnswerWithRealAsync(2);
        await calls.AnswerWithRealAsync(3);
        Assert.IsType<OutOfOrderSequenceException>(calls.Error(2));
        Assert.IsType<OutOfOrderSequenceException>(calls.Error(3));

        await calls.WaitForAsync(7);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(calls.Header(1 + i).BaseSequence, calls.Header(4 + i).BaseSequence); // same numbers, same order
            Assert.Equal("r" + (i + 1).ToString(CultureInfo.InvariantCulture), calls.Value(4 + i));
            await calls.AnswerWithRealAsync(4 + i);
        }

        var results = await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal([1L, 2L, 3L], results.Select(r => (long)r.Offset));
        Assert.Equal(["w", "r1", "r2", "r3"], ReadRecords(broker, "t", 0).Select(r => Text(r.Value)));
        Assert.Equal(7, calls.Count);
    }

    [Fact]
    public async Task ProduceAsync_FirstOfThreeInFlightFailsForGood_ItFailsAndSuccessorsAreRenumberedInANewEpoch()
    {
        var storage = new GatedStorage();
        await using var broker = await OpenAsync(storage, partitions: 1);
        var calls = new HeldAppends();
        await using var producer = (Producer<Null, string>)broker.CreateProducer<Null, string>(Config(maxInFlight: 5, idempotence: true, batchSize: 1, deliveryTimeoutMs: 20_000));
        producer.InterceptAppend = calls.Hold;
        var first = producer.ProduceAsync("t", new Message<Null, string> { Value = "w" }, Ct).AsTask();
        await calls.AnswerWithRealAsync(0);
        await first;

        var sends = new[] { "r1", "r2", "r3" }.Select(v => producer.ProduceAsync("t", new Message<Null, string> { Value = v }, Ct).AsTask()).ToArray();
        await calls.WaitForAsync(4);
        calls.Fail(1, new InvalidOperationException("Injected failure that is not retriable."));
        await calls.AnswerWithRealAsync(2);
        await calls.AnswerWithRealAsync(3);

        await Assert.ThrowsAsync<InvalidOperationException>(() => sends[0]);
        await calls.WaitForAsync(5); // the new epoch's first batch goes alone until it is acknowledged
        Assert.Equal(("r2", (short)1, 0), (calls.Value(4), calls.Header(4).ProducerEpoch, calls.Header(4).BaseSequence));
        await calls.AnswerWithRealAsync(4);
        await calls.WaitForAsync(6);
        Assert.Equal(("r3", (short)1, 1), (calls.Value(5), calls.Header(5).ProducerEpoch, calls.Header(5).BaseSequence));
        await calls.AnswerWithRealAsync(5);

        var results = await Task.WhenAll(sends[1..]).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal([1L, 2L], results.Select(r => (long)r.Offset));
        Assert.Equal(["w", "r2", "r3"], ReadRecords(broker, "t", 0).Select(r => Text(r.Value)));
    }

    private static void AssertReportedInOrderAtStoredOffsets(Run run, int partition)
    {
        List<DeliveryReport<Null, string>> reports = run.Reports[partition];
        Assert.All(reports, r => Assert.Null(r.Error));
        Assert.Equal(run.Sent[partition], reports.Select(r => r.Message.Value));
        Assert.Equal(run.Stored[partition].Select(r => r.Offset), reports.Select(r => r.Offset.Value));
    }

    private static async Task<Run> RunAsync(int seed, int maxInFlight, bool idempotence, double refuse, double loseAck)
    {
        var storage = new GatedStorage();
        await using var broker = await OpenAsync(storage, Partitions);
        var faults = new FaultyAppends(storage, seed, refuse, loseAck);
        var sent = Enumerable.Range(0, Partitions).Select(_ => new List<string>()).ToArray();
        var reports = Enumerable.Range(0, Partitions).Select(_ => new List<DeliveryReport<Null, string>>()).ToArray();
        await using (var producer = (Producer<Null, string>)broker.CreateProducer<Null, string>(Config(maxInFlight, idempotence, batchSize: 150)))
        {
            producer.InterceptAppend = faults.Append;
            producer.LoseAcknowledgement = faults.LoseAcknowledgement;
            for (int i = 0; i < Records; i++)
            {
                int p = i % Partitions;
                string value = "v" + i.ToString("D5", CultureInfo.InvariantCulture);
                sent[p].Add(value);
                producer.Produce(new TopicPartition("t", p), new Message<Null, string> { Value = value }, report =>
                {
                    lock (reports[p])
                    {
                        reports[p].Add(report);
                    }
                });
            }

            await producer.FlushAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(60), Ct);
        }

        var stored = Enumerable.Range(0, Partitions)
            .Select(p => ReadRecords(broker, "t", p).Select(r => (r.Offset, Value: Text(r.Value))).ToList()).ToArray();
        return new Run(faults, sent, reports, stored);
    }

    private static async Task<CommitLog.Broker> OpenAsync(GatedStorage storage, int partitions)
    {
        var broker = await CommitLog.Broker.OpenAsync(
            "/gated/data", new BrokerOptions { LogOptions = new LogOptions { Storage = storage, RetentionCheckInterval = null } }, Ct);
        await broker.Admin.CreateTopicAsync("t", partitions, cancellationToken: Ct);
        return broker;
    }

    private static ProducerConfig Config(int maxInFlight, bool idempotence, int batchSize, int deliveryTimeoutMs = 120_000) => new(new Dictionary<string, string>
    {
        ["request.timeout.ms"] = "5000",
        ["delivery.timeout.ms"] = deliveryTimeoutMs.ToString(CultureInfo.InvariantCulture),
        ["acks"] = "all",
        ["linger.ms"] = "0",
        ["batch.size"] = batchSize.ToString(CultureInfo.InvariantCulture),
        ["enable.idempotence"] = idempotence ? "true" : "false",
        ["max.in.flight.requests.per.connection"] = maxInFlight.ToString(CultureInfo.InvariantCulture),
    });

    private sealed record Run(
        FaultyAppends Faults, List<string>[] Sent, List<DeliveryReport<Null, string>>[] Reports, List<(long Offset, string Value)>[] Stored);
}

using System.Diagnostics.Metrics;
using static CommitLog.Tests.Consumer.ConsumerTestKit;

namespace CommitLog.Tests.Consumer;

public class ConsumerMetricsTests
{
    [Fact]
    public async Task Metrics_ConsumedAndLag_ReportedForThisConsumer()
    {
        await using var broker = await BrokerWithTopicAsync(topic: "metrics-topic");
        var tp = new TopicPartition("metrics-topic", 0);
        await ProduceAsync(broker, tp, 10);
        long consumed = 0;
        var lags = new List<long>();
        var maxLags = new List<long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "CommitLog" && instrument.Name.StartsWith("messaging.client.consumed", StringComparison.Ordinal)
                || instrument.Name.StartsWith("commitlog.consumer.records.lag", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var tagList = tags.ToArray();
            if (instrument.Name == "messaging.client.consumed.messages" && tagList.Any(t => Equals(t.Value, "metrics-topic")))
            {
                Interlocked.Add(ref consumed, value);
            }
            else if (instrument.Name == "commitlog.consumer.records.lag" && tagList.Any(t => Equals(t.Value, "metrics-topic")))
            {
                lags.Add(value);
            }
            else if (instrument.Name == "commitlog.consumer.records.lag.max" && tagList.Any(t => t.Value is string s && s.StartsWith("lag-client#consumer-", StringComparison.Ordinal)))
            {
                maxLags.Add(value);
            }
        });
        listener.Start();

        var config = new ConsumerConfig(new Dictionary<string, string> { ["auto.offset.reset"] = "earliest", ["client.id"] = "lag-client" });
        await using var consumer = broker.CreateConsumer<string, string>(config);
        consumer.Assign([tp]);
        ConsumeRecords(consumer, 4);
        listener.RecordObservableInstruments();

        Assert.Equal(4, Interlocked.Read(ref consumed));
        Assert.Equal([6L], lags);
        Assert.Equal([6L], maxLags);
        ConsumeRecords(consumer, 6);
        lags.Clear();
        listener.RecordObservableInstruments();
        Assert.Equal([0L], lags);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace CommitLog;

/// <summary>
/// The consumer's instruments, on the meter <c>CommitLog</c>. Each corresponds to a metric of Kafka's Java consumer:
/// <list type="table">
/// <listheader><term>Instrument (unit)</term><description>Kafka consumer metric</description></listheader>
/// <item><term><c>messaging.client.consumed.messages</c> ({message})</term><description><c>records-consumed-rate</c> / <c>records-consumed-total</c></description></item>
/// <item><term><c>commitlog.consumer.records.lag</c> ({message}, per partition)</term><description><c>records-lag</c></description></item>
/// <item><term><c>commitlog.consumer.records.lag.max</c> ({message}, per consumer)</term><description><c>records-lag-max</c></description></item>
/// <item><term><c>commitlog.consumer.commit.duration</c> (s)</term><description><c>commit-latency-avg</c> / <c>-max</c></description></item>
/// <item><term><c>commitlog.consumer.rebalances</c> ({rebalance})</term><description><c>rebalance-rate-per-hour</c> / <c>rebalance-total</c></description></item>
/// <item><term><c>commitlog.consumer.fetch.duration</c> (s)</term><description><c>fetch-latency-avg</c> / <c>-max</c></description></item>
/// </list>
/// Tags: <c>messaging.destination.name</c> (topic), <c>messaging.destination.partition.id</c>, <c>messaging.consumer.group.name</c>
/// and, on the per-consumer gauge, <c>messaging.client.id</c> (the consumer's name).
/// </summary>
internal static class ConsumerMetrics
{
    private const string TopicTag = "messaging.destination.name";
    private const string PartitionTag = "messaging.destination.partition.id";
    private const string GroupTag = "messaging.consumer.group.name";
    private const string ClientTag = "messaging.client.id";
    private static readonly Meter Meter = new("CommitLog");
    private static readonly ConcurrentDictionary<ILagSource, byte> Consumers = new();

    private static readonly Counter<long> Consumed = Meter.CreateCounter<long>(
        "messaging.client.consumed.messages", "{message}", "Records returned to the application (Kafka records-consumed-rate).");

    private static readonly Histogram<double> CommitLatency = Meter.CreateHistogram(
        "commitlog.consumer.commit.duration", "s", "Time to commit offsets (Kafka commit-latency-avg).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5] });

    private static readonly Histogram<double> FetchLatency = Meter.CreateHistogram(
        "commitlog.consumer.fetch.duration", "s", "Time for a fetch to return data, including its wait for fetch.min.bytes (Kafka fetch-latency-avg).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.00001, 0.0001, 0.001, 0.01, 0.1, 0.5, 1, 5] });

    private static readonly Counter<long> Rebalances = Meter.CreateCounter<long>(
        "commitlog.consumer.rebalances", "{rebalance}", "Assignments received from the group (Kafka rebalance-rate-per-hour).");

    static ConsumerMetrics()
    {
        Meter.CreateObservableGauge("commitlog.consumer.records.lag", ObserveLag, "{message}",
            "Records between a partition's position and its high watermark (Kafka records-lag).");
        Meter.CreateObservableGauge("commitlog.consumer.records.lag.max", ObserveMaxLag, "{message}",
            "The largest partition lag of each consumer (Kafka records-lag-max).");
    }

    /// <summary>Something that reports its lag: a live consumer.</summary>
    internal interface ILagSource
    {
        string Name { get; }

        string GroupName { get; }

        IReadOnlyList<(TopicPartition Partition, long Lag)> SampleLag();
    }

    public static void Register(ILagSource consumer) => Consumers.TryAdd(consumer, 0);

    public static void Unregister(ILagSource consumer) => Consumers.TryRemove(consumer, out _);

    public static void RecordConsumed(string topic)
    {
        if (Consumed.Enabled)
        {
            Consumed.Add(1, new KeyValuePair<string, object?>(TopicTag, topic));
        }
    }

    public static void Committed(string group, TimeSpan elapsed)
        => CommitLatency.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(GroupTag, group));

    public static void Fetched(string topic, TimeSpan elapsed)
    {
        if (FetchLatency.Enabled)
        {
            FetchLatency.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(TopicTag, topic));
        }
    }

    public static void Rebalanced(string group) => Rebalances.Add(1, new KeyValuePair<string, object?>(GroupTag, group));

    private static IEnumerable<Measurement<long>> ObserveLag()
    {
        foreach (ILagSource consumer in Consumers.Keys)
        {
            foreach ((TopicPartition tp, long lag) in consumer.SampleLag())
            {
                yield return new Measurement<long>(lag,
                    new KeyValuePair<string, object?>(TopicTag, tp.Topic),
                    new KeyValuePair<string, object?>(PartitionTag, tp.Partition.Value),
                    new KeyValuePair<string, object?>(GroupTag, consumer.GroupName));
            }
        }
    }

    private static IEnumerable<Measurement<long>> ObserveMaxLag()
    {
        foreach (ILagSource consumer in Consumers.Keys)
        {
            var lags = consumer.SampleLag();
            yield return new Measurement<long>(lags.Count == 0 ? 0 : lags.Max(l => l.Lag),
                new KeyValuePair<string, object?>(ClientTag, consumer.Name),
                new KeyValuePair<string, object?>(GroupTag, consumer.GroupName));
        }
    }
}

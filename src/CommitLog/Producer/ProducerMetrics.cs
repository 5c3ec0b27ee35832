using System.Diagnostics.Metrics;

namespace CommitLog;

/// <summary>
/// The producer's instruments, on the meter <c>CommitLog</c>. Each corresponds to a metric of Kafka's Java producer:
/// <list type="table">
/// <listheader><term>Instrument (unit)</term><description>Kafka producer metric</description></listheader>
/// <item><term><c>messaging.client.sent.messages</c> ({message})</term><description><c>record-send-rate</c> / <c>record-send-total</c></description></item>
/// <item><term><c>commitlog.producer.record.errors</c> ({message})</term><description><c>record-error-rate</c> / <c>record-error-total</c></description></item>
/// <item><term><c>commitlog.producer.record.retries</c> ({batch})</term><description><c>record-retry-rate</c></description></item>
/// <item><term><c>messaging.client.operation.duration</c> (s)</term><description><c>request-latency-avg</c> / <c>-max</c></description></item>
/// <item><term><c>commitlog.producer.batch.size</c> (By)</term><description><c>batch-size-avg</c> / <c>-max</c></description></item>
/// <item><term><c>commitlog.producer.buffer.used</c> (By)</term><description><c>buffer.memory</c> minus <c>buffer-available-bytes</c></description></item>
/// </list>
/// Tags: <c>messaging.destination.name</c> (the topic) on the per-batch instruments.
/// </summary>
internal static class ProducerMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "CommitLog";

    private const string TopicTag = "messaging.destination.name";
    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Sent = Meter.CreateCounter<long>(
        "messaging.client.sent.messages", "{message}", "Records acknowledged by the log (Kafka record-send-rate).");

    private static readonly Counter<long> Errors = Meter.CreateCounter<long>(
        "commitlog.producer.record.errors", "{message}", "Records that failed to be delivered (Kafka record-error-rate).");

    private static readonly Counter<long> Retries = Meter.CreateCounter<long>(
        "commitlog.producer.record.retries", "{batch}", "Batch appends retried after a retriable failure (Kafka record-retry-rate).");

    private static readonly Histogram<double> Latency = Meter.CreateHistogram(
        "messaging.client.operation.duration", "s", "Time for the log to acknowledge one batch append (Kafka request-latency-avg).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5] });

    private static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>(
        "commitlog.producer.batch.size", "By", "Encoded size of each batch sent (Kafka batch-size-avg).");

    private static readonly UpDownCounter<long> BufferUsed = Meter.CreateUpDownCounter<long>(
        "commitlog.producer.buffer.used", "By", "Bytes of records queued but not yet appended (buffer.memory - buffer-available-bytes).");

    public static void RecordsSent(string topic, int count) => Sent.Add(count, new KeyValuePair<string, object?>(TopicTag, topic));

    public static void RecordErrors(string topic, int count) => Errors.Add(count, new KeyValuePair<string, object?>(TopicTag, topic));

    public static void Retried(string topic) => Retries.Add(1, new KeyValuePair<string, object?>(TopicTag, topic));

    public static void AppendLatency(string topic, TimeSpan elapsed)
        => Latency.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(TopicTag, topic));

    public static void BatchSent(string topic, int bytes) => BatchSize.Record(bytes, new KeyValuePair<string, object?>(TopicTag, topic));

    public static void BufferChanged(long delta) => BufferUsed.Add(delta);
}

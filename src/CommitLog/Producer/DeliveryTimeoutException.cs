using CommitLog.Storage;

namespace CommitLog;

/// <summary>
/// A record was not acknowledged within <c>delivery.timeout.ms</c> of being queued, retries included (Kafka's
/// "Expiring N record(s)" timeout). The record may or may not have been appended.
/// </summary>
public sealed class DeliveryTimeoutException : CommitLogException
{
    internal DeliveryTimeoutException(TopicPartition topicPartition, int records, TimeSpan deliveryTimeout, Exception? lastError = null)
        : base(ErrorCode.RequestTimedOut,
            $"Expiring {records} record(s) for {topicPartition}: not acknowledged within delivery.timeout.ms " +
            $"({deliveryTimeout.TotalMilliseconds} ms) of being queued" + (lastError is null ? "." : $"; the last attempt failed: {lastError.Message}"),
            lastError)
    {
        TopicPartition = topicPartition;
        DeliveryTimeout = deliveryTimeout;
    }

    /// <summary>Gets the partition the record was sent to.</summary>
    public TopicPartition TopicPartition { get; }

    /// <summary>Gets the configured <c>delivery.timeout.ms</c>.</summary>
    public TimeSpan DeliveryTimeout { get; }
}

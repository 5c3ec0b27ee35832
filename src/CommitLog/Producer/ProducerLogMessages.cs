using Microsoft.Extensions.Logging;

namespace CommitLog;

/// <summary>The producer's log messages (event ids 2100-2199, category <c>CommitLog.Producer</c>).</summary>
internal static partial class ProducerLogMessages
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Information,
        Message = "Producer {Name} started (producer id {ProducerId}, acks {Acks}, idempotent {Idempotent}).")]
    public static partial void Started(ILogger logger, string name, long producerId, Acks acks, bool idempotent);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Producer {Name} closed.")]
    public static partial void Closed(ILogger logger, string name);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning,
        Message = "Append of a batch of {Records} record(s) to {TopicPartition} failed (attempt {Attempt}); retrying the same batch.")]
    public static partial void Retrying(ILogger logger, Exception error, int records, TopicPartition topicPartition, int attempt);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Error, Message = "A batch of {Records} record(s) to {TopicPartition} failed.")]
    public static partial void BatchFailed(ILogger logger, Exception error, int records, TopicPartition topicPartition);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Debug,
        Message = "Appended {Records} record(s) ({Bytes} bytes) to {TopicPartition} at offset {FirstOffset}.")]
    public static partial void BatchSent(ILogger logger, int records, int bytes, TopicPartition topicPartition, long firstOffset);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Warning,
        Message = "Producer {Name} closed before {Records} record(s) were sent; they are reported as failed.")]
    public static partial void AbandonedOnClose(ILogger logger, string name, long records);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Error, Message = "A delivery handler of producer {Name} threw; the exception is ignored.")]
    public static partial void HandlerFailed(ILogger logger, Exception error, string name);

    [LoggerMessage(EventId = 2107, Level = LogLevel.Warning,
        Message = "Producer {Name} (producer id {ProducerId}) moved to epoch {Epoch}: a batch to {TopicPartition} failed, so its sequence state is unknown; every partition restarts at sequence 0.")]
    public static partial void EpochBumped(ILogger logger, string name, long producerId, short epoch, TopicPartition topicPartition);
}

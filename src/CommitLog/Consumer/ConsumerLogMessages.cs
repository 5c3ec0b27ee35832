using Microsoft.Extensions.Logging;

namespace CommitLog;

/// <summary>The consumer's log messages (event ids 2200-2299, category <c>CommitLog.Consumer</c>).</summary>
internal static partial class ConsumerLogMessages
{
    [LoggerMessage(EventId = 2200, Level = LogLevel.Information,
        Message = "Consumer {Name} started (group '{GroupId}', auto.offset.reset {Reset}, auto-commit {AutoCommit}).")]
    public static partial void Started(ILogger logger, string name, string groupId, AutoOffsetReset reset, bool autoCommit);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Consumer {Name} closed.")]
    public static partial void Closed(ILogger logger, string name);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Information, Message = "Consumer {Name} assigned {Count} partition(s); now consuming {Assignment}.")]
    public static partial void Assigned(ILogger logger, string name, int count, string assignment);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Debug, Message = "Seek of {TopicPartition} to offset {Offset}.")]
    public static partial void Seeked(ILogger logger, TopicPartition topicPartition, long offset);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Warning,
        Message = "Offset {Offset} of {TopicPartition} is out of range; reset to {ResetOffset} (auto.offset.reset {Reset}).")]
    public static partial void OffsetReset(ILogger logger, TopicPartition topicPartition, long offset, long resetOffset, AutoOffsetReset reset);

    [LoggerMessage(EventId = 2205, Level = LogLevel.Debug, Message = "Fetched {Bytes} bytes of {TopicPartition} from offset {Offset}.")]
    public static partial void Fetched(ILogger logger, TopicPartition topicPartition, long offset, int bytes);

    [LoggerMessage(EventId = 2206, Level = LogLevel.Error,
        Message = "Fetching {TopicPartition} at offset {Offset} failed; the partition stops until a Seek.")]
    public static partial void FetchFailed(ILogger logger, Exception error, TopicPartition topicPartition, long offset);

    [LoggerMessage(EventId = 2207, Level = LogLevel.Debug, Message = "Consumer {Name} committed {Count} offset(s) for group '{GroupId}'.")]
    public static partial void Committed(ILogger logger, string name, int count, string groupId);

    [LoggerMessage(EventId = 2208, Level = LogLevel.Warning,
        Message = "Automatic commit of consumer {Name} for group '{GroupId}' failed; the next commit retries.")]
    public static partial void AutoCommitFailed(ILogger logger, Exception error, string name, string groupId);

    [LoggerMessage(EventId = 2209, Level = LogLevel.Information, Message = "Consumer {Name} subscribed to {Topics} in group '{GroupId}'.")]
    public static partial void Subscribed(ILogger logger, string name, string topics, string groupId);

    [LoggerMessage(EventId = 2210, Level = LogLevel.Information, Message = "Consumer {Name} was assigned {Count} partition(s) by group '{GroupId}'.")]
    public static partial void GroupAssigned(ILogger logger, string name, int count, string groupId);

    [LoggerMessage(EventId = 2211, Level = LogLevel.Information, Message = "Consumer {Name} had {Count} partition(s) revoked by group '{GroupId}'.")]
    public static partial void GroupRevoked(ILogger logger, string name, int count, string groupId);

    [LoggerMessage(EventId = 2212, Level = LogLevel.Warning,
        Message = "Consumer {Name} lost {Count} partition(s) of group '{GroupId}' (removed from the group); their offsets cannot be committed.")]
    public static partial void GroupLost(ILogger logger, string name, int count, string groupId);

    [LoggerMessage(EventId = 2213, Level = LogLevel.Warning,
        Message = "Consumer {Name} could not leave group '{GroupId}' cleanly; the group removes it after session.timeout.ms.")]
    public static partial void LeaveFailed(ILogger logger, Exception error, string name, string groupId);
}

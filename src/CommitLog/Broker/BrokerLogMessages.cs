using Microsoft.Extensions.Logging;

namespace CommitLog;

/// <summary>Every log line of the broker and topic management (category <c>CommitLog.Broker</c>). Event ids 2000-2099.</summary>
internal static partial class BrokerLogMessages
{
    [LoggerMessage(2000, LogLevel.Information, "Opened broker {DataDirectory}: {TopicCount} topics, {PartitionCount} partitions")]
    public static partial void Opened(ILogger logger, string dataDirectory, int topicCount, int partitionCount);

    [LoggerMessage(2001, LogLevel.Information, "Created topic {Topic} with {Partitions} partitions")]
    public static partial void TopicCreated(ILogger logger, string topic, int partitions);

    [LoggerMessage(2002, LogLevel.Information, "Deleted topic {Topic} ({Partitions} partitions)")]
    public static partial void TopicDeleted(ILogger logger, string topic, int partitions);

    [LoggerMessage(2003, LogLevel.Information, "Increased the partitions of topic {Topic} from {OldCount} to {NewCount}")]
    public static partial void PartitionsIncreased(ILogger logger, string topic, int oldCount, int newCount);

    [LoggerMessage(2004, LogLevel.Information, "Altered the config of topic {Topic}; partition logs reopened: {Reopened}")]
    public static partial void ConfigAltered(ILogger logger, string topic, bool reopened);

    [LoggerMessage(2005, LogLevel.Warning, "Finishing the deletion of topic {Topic} that an earlier run started")]
    public static partial void ResumingDeletion(ILogger logger, string topic);

    [LoggerMessage(2006, LogLevel.Warning, "The directory {Directory} looks like a partition but no topic in the metadata owns it; it is left untouched")]
    public static partial void OrphanDirectory(ILogger logger, string directory);

    [LoggerMessage(2007, LogLevel.Warning, "The directory of partition {Partition} of topic {Topic} was missing and is created empty")]
    public static partial void MissingPartitionDirectory(ILogger logger, string topic, int partition);

    [LoggerMessage(2008, LogLevel.Error, "Undoing the failed change of topic {Topic} failed too; the next open completes it")]
    public static partial void RollbackFailed(ILogger logger, Exception exception, string topic);

    [LoggerMessage(2009, LogLevel.Warning, "Could not remove the emptied directory {Directory}; it is harmless and left in place")]
    public static partial void DirectoryNotRemoved(ILogger logger, Exception exception, string directory);

    [LoggerMessage(2010, LogLevel.Warning, "Background compaction of topic {Topic} partition {Partition} failed; it runs again at the next tick")]
    public static partial void CompactionFailed(ILogger logger, Exception exception, string topic, int partition);
}

namespace CommitLog.Storage;

/// <summary>How a batch's timestamps were set: bit 3 of the RecordBatch v2 attributes (Kafka <c>message.timestamp.type</c>).</summary>
public enum TimestampType
{
    /// <summary>The producer set each record's timestamp.</summary>
    CreateTime = 0,

    /// <summary>The log overwrote the timestamps with the time it appended the batch.</summary>
    LogAppendTime = 1,
}

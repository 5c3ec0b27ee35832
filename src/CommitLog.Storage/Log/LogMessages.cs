using Microsoft.Extensions.Logging;

namespace CommitLog.Storage;

/// <summary>Every log line of the storage layer. Event ids 1000-1999.</summary>
internal static partial class LogMessages
{
    [LoggerMessage(1000, LogLevel.Information, "Opened log {Directory}: offsets {LogStartOffset}..{LogEndOffset}, {SegmentCount} segments, clean shutdown: {Clean}, recovered in {ElapsedMs} ms")]
    public static partial void Opened(ILogger logger, string directory, long logStartOffset, long logEndOffset, int segmentCount, bool clean, long elapsedMs);

    [LoggerMessage(1001, LogLevel.Warning, "Recovery of {Directory} truncated {Bytes} bytes of unflushed tail at position {Position} of {File}: {Reason}")]
    public static partial void TruncatedTail(ILogger logger, string directory, long bytes, long position, string file, string reason);

    [LoggerMessage(1002, LogLevel.Warning, "Salvage mode: {Directory} truncated {Bytes} bytes of damaged flushed data at position {Position} of {File}: {Reason}")]
    public static partial void SalvagedCorruption(ILogger logger, string directory, long bytes, long position, string file, string reason);

    [LoggerMessage(1003, LogLevel.Information, "Rolled log {Directory} to a new segment at offset {BaseOffset}")]
    public static partial void Rolled(ILogger logger, string directory, long baseOffset);

    [LoggerMessage(1004, LogLevel.Information, "Retention deleted {Count} segments ({Bytes} bytes) of {Directory}; log start offset is now {LogStartOffset}")]
    public static partial void RetentionDeleted(ILogger logger, int count, long bytes, string directory, long logStartOffset);

    [LoggerMessage(1005, LogLevel.Error, "Flush of {Directory} failed; the log stopped accepting writes until it is reopened")]
    public static partial void FlushFailed(ILogger logger, Exception exception, string directory);

    [LoggerMessage(1006, LogLevel.Warning, "Rebuilt the {Kind} of segment {BaseOffset} in {Directory}: the file was missing or damaged")]
    public static partial void RebuiltIndex(ILogger logger, string kind, long baseOffset, string directory);

    [LoggerMessage(1007, LogLevel.Information, "Truncated log {Directory} to offset {Offset}")]
    public static partial void Truncated(ILogger logger, string directory, long offset);

    [LoggerMessage(1008, LogLevel.Error, "Closing {Directory} could not flush; no clean-shutdown marker was written, so the next open runs recovery")]
    public static partial void CloseFailed(ILogger logger, Exception exception, string directory);

    [LoggerMessage(1009, LogLevel.Warning, "Rebuilt the leader-epoch cache of {Directory} from the log: the checkpoint file was damaged")]
    public static partial void RebuiltEpochCache(ILogger logger, string directory);

    [LoggerMessage(1011, LogLevel.Warning, "Scheduled retention of {Directory} failed; it runs again at the next check")]
    public static partial void RetentionFailed(ILogger logger, Exception exception, string directory);

    [LoggerMessage(1013, LogLevel.Warning, "Could not delete segment {BaseOffset} of {Directory}; it is outside the log and its files are removed at the next open")]
    public static partial void SegmentDeleteFailed(ILogger logger, long baseOffset, string directory);

    [LoggerMessage(1010, LogLevel.Warning, "An append to {Directory} failed and was rolled back; the log is intact")]
    public static partial void AppendRolledBack(ILogger logger, Exception exception, string directory);

    [LoggerMessage(1014, LogLevel.Warning, "Writing the leader-epoch cache of {Directory} failed; the append stands and the next open rebuilds the cache from the log")]
    public static partial void EpochCacheWriteFailed(ILogger logger, Exception exception, string directory);

    [LoggerMessage(1012, LogLevel.Warning, "Writing the checkpoint of {Directory} failed because the disk is full; the previous one stays valid and the write is retried at the next flush")]
    public static partial void CheckpointDiskFull(ILogger logger, Exception exception, string directory);

    [LoggerMessage(1015, LogLevel.Information, "Compacted {Directory}: {SegmentsBefore} segments ({BytesBefore} bytes) became {SegmentsAfter} ({BytesAfter} bytes), {RecordsRemoved} records removed ({TombstonesRemoved} tombstones); dirty range {FirstDirty}..{DirtyEnd}")]
    public static partial void Compacted(ILogger logger, string directory, int segmentsBefore, int segmentsAfter, long bytesBefore, long bytesAfter,
        long recordsRemoved, long tombstonesRemoved, long firstDirty, long dirtyEnd);

    [LoggerMessage(1016, LogLevel.Warning, "The cleaner of {Directory} could not write its checkpoint or remove its temporary files; the next run cleans more, and the next open removes leftovers")]
    public static partial void CleanerCheckpointFailed(ILogger logger, Exception exception, string directory);

    [LoggerMessage(1017, LogLevel.Warning, "The cleaned segment {BaseOffset} of {Directory} is live, but its files keep the .swap names until the next open finishes the swap; the cleaner pauses until then")]
    public static partial void SwapIncomplete(ILogger logger, Exception exception, long baseOffset, string directory);

    [LoggerMessage(1018, LogLevel.Information, "Finished the swap of cleaned segment {BaseOffset} (offsets up to {NextOffset}) of {Directory} that a crash interrupted")]
    public static partial void SwapCompleted(ILogger logger, long baseOffset, long nextOffset, string directory);

    [LoggerMessage(1019, LogLevel.Warning, "Scheduled compaction of {Directory} failed; it runs again at the next check")]
    public static partial void CompactionFailed(ILogger logger, Exception exception, string directory);
}

using Microsoft.Extensions.Logging;

namespace CommitLog.Storage;

/// <content>Log lines of the idempotent-producer state. Event ids 1100-1109.</content>
internal static partial class LogMessages
{
    [LoggerMessage(1100, LogLevel.Warning, "Ignored the damaged producer-state snapshot {File} of {Directory}; the state is rebuilt from an older snapshot and the log")]
    public static partial void ProducerSnapshotDamaged(ILogger logger, string file, string directory);

    [LoggerMessage(1101, LogLevel.Warning, "Writing the producer-state snapshot at offset {Offset} of {Directory} failed; the next open replays more of the log")]
    public static partial void ProducerSnapshotFailed(ILogger logger, Exception exception, long offset, string directory);

    [LoggerMessage(1102, LogLevel.Information, "Loaded the producer state of {Directory}: {Producers} producer ids, snapshot at offset {SnapshotOffset}, replayed offsets {From}..{To}")]
    public static partial void ProducerStateLoaded(ILogger logger, string directory, int producers, long snapshotOffset, long from, long to);

    [LoggerMessage(1103, LogLevel.Warning, "Deleting the old producer-state snapshot {File} of {Directory} failed; the next retention run or open retries")]
    public static partial void ProducerSnapshotDeleteFailed(ILogger logger, Exception exception, string file, string directory);
}

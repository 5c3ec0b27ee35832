namespace CommitLog.Storage;

/// <summary>The log directory is locked by another process or another open instance.</summary>
public sealed class LogDirectoryLockedException : CommitLogException
{
    internal LogDirectoryLockedException(string directory, Exception? innerException = null)
        : base(ErrorCode.LogDirectoryLocked,
            $"The log directory '{directory}' is already open in another process or instance (its '.lock' file is held). Close the other instance first; only one writer may own a log directory.",
            innerException)
    {
        LogDirectory = directory;
    }
}

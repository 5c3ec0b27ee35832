namespace CommitLog.TestKit;

/// <summary>The kinds of calls <see cref="SimulatedStorage"/> counts, logs and can fail.</summary>
public enum StorageOperation
{
    /// <summary><c>OpenFile</c>, with or without creation.</summary>
    Open,

    /// <summary><c>ISegmentFile.Read</c>.</summary>
    Read,

    /// <summary><c>ISegmentFile.Write</c>.</summary>
    Write,

    /// <summary><c>ISegmentFile.Flush</c>.</summary>
    Flush,

    /// <summary><c>ISegmentFile.SetLength</c>.</summary>
    SetLength,

    /// <summary><c>RenameFile</c>.</summary>
    Rename,

    /// <summary><c>DeleteFile</c>.</summary>
    Delete,

    /// <summary><c>SyncDirectory</c>.</summary>
    SyncDirectory,

    /// <summary><c>CreateDirectory</c>.</summary>
    CreateDirectory,

    /// <summary><c>ListFiles</c>.</summary>
    List,

    /// <summary><c>LockDirectory</c>.</summary>
    Lock,

    /// <summary><c>ISegmentFile.Dispose</c> (never failed).</summary>
    Close,
}

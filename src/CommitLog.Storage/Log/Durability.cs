namespace CommitLog.Storage;

/// <summary>How far an acknowledged append got. Each level survives more than the one before it.</summary>
public enum Durability
{
    /// <summary>Not written anywhere yet (acks=0): lost if the process dies.</summary>
    None = 0,

    /// <summary>Written to the operating system's page cache: survives a process crash (kill -9), not an OS crash or power loss.</summary>
    Written = 1,

    /// <summary>Flushed to the device (fdatasync returned success): survives an OS crash and power loss.</summary>
    Flushed = 2,

    /// <summary>Held by every in-sync replica (acks=all).</summary>
    Replicated = 3,
}

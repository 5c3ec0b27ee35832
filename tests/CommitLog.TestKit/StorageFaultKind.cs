namespace CommitLog.TestKit;

/// <summary>The error an injected fault raises.</summary>
public enum StorageFaultKind
{
    /// <summary>A device I/O error: <see cref="IOException"/> with the platform's EIO code.</summary>
    DeviceError,

    /// <summary>A full disk: <see cref="IOException"/> with the platform's ENOSPC code.</summary>
    DiskFull,
}

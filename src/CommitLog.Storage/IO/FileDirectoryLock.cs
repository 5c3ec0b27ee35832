using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace CommitLog.Storage.IO;

/// <summary>
/// The exclusive lock on a log directory: the file <c>&lt;directory&gt;/.lock</c>, held open with an exclusive
/// <c>flock</c> on Unix (sharing mode none on Windows), plus an entry in a process-wide registry.
/// </summary>
/// <remarks>
/// On a local file system two opens in one process already conflict (a <c>flock</c> lock belongs to an open file
/// description, not to the process). The registry still matters where <c>flock</c> is emulated with per-process
/// POSIX locks (Linux NFS), which would let a second open in the same process through, and it refuses a second
/// instance without touching the file. The lock file is left in place on release: deleting it would race with
/// another process that is just opening it.
/// </remarks>
internal sealed class FileDirectoryLock : IDisposable
{
    internal const string LockFileName = ".lock";
    private const int WindowsSharingViolation = unchecked((int)0x80070020);
    private const int WindowsLockViolation = unchecked((int)0x80070021);
    private static readonly HashSet<string> HeldInProcess = new(StringComparer.Ordinal);
    private readonly string _key;
    private SafeFileHandle? _handle;

    private FileDirectoryLock(string key, SafeFileHandle handle)
    {
        _key = key;
        _handle = handle;
    }

    /// <summary>Takes the lock on <paramref name="directory"/> or throws <see cref="LogDirectoryLockedException"/>.</summary>
    internal static FileDirectoryLock Acquire(string directory)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        lock (HeldInProcess)
        {
            if (!HeldInProcess.Add(full))
            {
                throw new LogDirectoryLockedException(full) { LogDirectory = full };
            }
        }

        try
        {
            return new FileDirectoryLock(full, OpenAndLock(full));
        }
        catch
        {
            lock (HeldInProcess)
            {
                HeldInProcess.Remove(full);
            }

            throw;
        }
    }

    /// <summary>Releases the lock: closes the lock file (which drops the <c>flock</c>) and leaves the registry.</summary>
    public void Dispose()
    {
        SafeFileHandle? handle = Interlocked.Exchange(ref _handle, null);
        if (handle is null)
        {
            return;
        }

        handle.Dispose();
        lock (HeldInProcess)
        {
            HeldInProcess.Remove(_key);
        }
    }

    private static SafeFileHandle OpenAndLock(string directory)
    {
        string lockPath = Path.Combine(directory, LockFileName);
        SafeFileHandle handle;
        try
        {
            // FileShare.None: on Windows this is the lock itself. On Unix .NET also takes flock(LOCK_EX|LOCK_NB) for
            // it, unless file locking is switched off (System.IO.DisableFileLocking), hence the explicit flock below.
            handle = File.OpenHandle(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (IsLockConflict(e))
        {
            throw new LogDirectoryLockedException(directory, e) { LogDirectory = directory };
        }

        if (OperatingSystem.IsWindows())
        {
            return handle;
        }

        if (Libc.FLock(handle, Libc.LockExclusive | Libc.LockNonBlocking) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            if (errno == EWouldBlock)
            {
                throw new LogDirectoryLockedException(directory) { LogDirectory = directory };
            }

            throw new IOException(
                $"Locking '{lockPath}' failed: flock returned {IOErrors.DescribeErrno(errno)}.", errno);
        }

        return handle;
    }

    private static int EWouldBlock => OperatingSystem.IsMacOS() || OperatingSystem.IsIOS() || OperatingSystem.IsTvOS()
        || OperatingSystem.IsMacCatalyst() || OperatingSystem.IsFreeBSD() ? 35 : 11;

    private static bool IsLockConflict(IOException e)
        => OperatingSystem.IsWindows()
            ? e.HResult is WindowsSharingViolation or WindowsLockViolation
            : e.HResult == EWouldBlock;
}

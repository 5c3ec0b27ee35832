using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace CommitLog.Storage.IO;

/// <summary>
/// The durability barrier: flushes a file's data, or a directory's entries, to stable storage and reports a
/// failure as an <see cref="IOException"/>.
/// </summary>
/// <remarks>
/// <para>
/// On Linux, .NET's <c>FileStream.Flush(true)</c> and <c>RandomAccess.FlushToDisk</c> return normally when the
/// kernel's <c>fsync</c> fails with EIO (the result is never seen by managed code), so this class calls
/// <c>fdatasync</c> itself and checks the result. A failed flush must never be retried and then trusted: after a
/// failure the kernel may have discarded the dirty pages, and the retry would succeed without writing them.
/// </para>
/// <para>Per platform:</para>
/// <list type="bullet">
/// <item>Linux: <c>fdatasync</c> for files; <c>fsync</c> of the directory opened with <c>O_RDONLY|O_DIRECTORY</c>.</item>
/// <item>macOS/iOS: <c>fcntl(F_FULLFSYNC)</c> (plain <c>fsync</c> there does not flush the drive's cache), falling back
/// to <c>fsync</c> only where the file system does not support it (ENOTSUP, ENOTTY, EINVAL).</item>
/// <item>Other Unix: <c>fsync</c>.</item>
/// <item>Windows: <c>FlushFileBuffers</c> through <see cref="RandomAccess.FlushToDisk"/>, whose failure .NET does
/// report there. Directory entries need no separate flush on NTFS, so <see cref="SyncDirectory"/> does nothing.</item>
/// </list>
/// </remarks>
internal static class DurabilityBarrier
{
    private const int EINVAL = 22;
    private const int ENOTTY = 25;

    private static bool IsApple => OperatingSystem.IsMacOS() || OperatingSystem.IsIOS() || OperatingSystem.IsTvOS()
        || OperatingSystem.IsMacCatalyst();

    /// <summary>Flushes the data of an open file; returns only when the device confirmed it.</summary>
    /// <exception cref="IOException">The flush failed; the message names the call and the errno.</exception>
    internal static void FlushFile(SafeFileHandle handle, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            RandomAccess.FlushToDisk(handle);
            return;
        }

        if (OperatingSystem.IsLinux() || OperatingSystem.IsAndroid())
        {
            int result;
            while ((result = Libc.FDataSync(handle)) == -1 && Marshal.GetLastPInvokeError() == Libc.EINTR)
            {
            }

            Check(result, path, "fdatasync");
            return;
        }

        if (IsApple)
        {
            int result;
            while ((result = Libc.FcntlNoArgument(handle, Libc.FullFsyncCommand)) == -1
                && Marshal.GetLastPInvokeError() == Libc.EINTR)
            {
            }

            if (result == 0)
            {
                return;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno is not (EINVAL or ENOTTY or 45 /* ENOTSUP on Apple */))
            {
                throw IOErrors.FlushFailed(path, "fcntl(F_FULLFSYNC)", errno);
            }
        }

        int fsyncResult;
        while ((fsyncResult = Libc.FSync(handle)) == -1 && Marshal.GetLastPInvokeError() == Libc.EINTR)
        {
        }

        Check(fsyncResult, path, "fsync");
    }

    /// <summary>Makes the creations, renames and deletions of entries in <paramref name="directory"/> durable.</summary>
    /// <exception cref="IOException">The directory could not be opened or its fsync failed.</exception>
    internal static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int fd = RetryOnInterrupt(() => Libc.OpenNoMode(directory, Libc.OpenDirectoryFlags));
        if (fd < 0)
        {
            int openErrno = Marshal.GetLastPInvokeError();
            if (openErrno == 2 /* ENOENT */)
            {
                throw new DirectoryNotFoundException(
                    $"Cannot make entries of directory '{directory}' durable: the directory does not exist.");
            }

            throw IOErrors.SyncDirectoryFailed(directory, "open", openErrno);
        }

        try
        {
            if (RetryOnInterrupt(() => Libc.FSync(fd)) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();

                // Some file systems cannot fsync a directory and say so with EINVAL (or ENOTSUP): there is
                // nothing more to do for them, as in PostgreSQL's fsync_fname. Every other error is a failure.
                if (errno != EINVAL && errno != (IsApple ? 45 : 95) /* ENOTSUP */)
                {
                    throw IOErrors.SyncDirectoryFailed(directory, "fsync", errno);
                }
            }
        }
        finally
        {
            _ = Libc.Close(fd);
        }
    }

    private static void Check(int result, string path, string call)
    {
        if (result != 0)
        {
            throw IOErrors.FlushFailed(path, call, Marshal.GetLastPInvokeError());
        }
    }

    private static int RetryOnInterrupt(Func<int> call)
    {
        int result;
        while ((result = call()) == -1 && Marshal.GetLastPInvokeError() == Libc.EINTR)
        {
        }

        return result;
    }
}

using System.Runtime.InteropServices;

namespace CommitLog.Storage.IO;

/// <summary>
/// Builds and classifies the <see cref="IOException"/>s of the storage layer. The real storage and the simulated
/// disk of the tests both use it, so the log sees the same exception (message, <see cref="Exception.HResult"/>)
/// for the same condition whichever storage runs underneath.
/// </summary>
internal static class IOErrors
{
    internal const int EIO = 5;
    internal const int ENOSPC = 28;
    private const int WindowsDiskFull = unchecked((int)0x80070070);       // ERROR_DISK_FULL
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027); // ERROR_HANDLE_DISK_FULL
    private const int WindowsIODevice = unchecked((int)0x8007045D);       // ERROR_IO_DEVICE

    private static bool IsApple => OperatingSystem.IsMacOS() || OperatingSystem.IsIOS() || OperatingSystem.IsTvOS()
        || OperatingSystem.IsMacCatalyst();

    private static int EDQUOT => IsApple ? 69 : 122;

    /// <summary>Gets the error code the platform reports for a full disk.</summary>
    internal static int DiskFullCode => OperatingSystem.IsWindows() ? WindowsDiskFull : ENOSPC;

    /// <summary>Gets the error code the platform reports for a device I/O error.</summary>
    internal static int DeviceErrorCode => OperatingSystem.IsWindows() ? WindowsIODevice : EIO;

    /// <summary>Returns whether <paramref name="exception"/> reports a full disk or an exceeded quota (ENOSPC, EDQUOT).</summary>
    internal static bool IsDiskFull(Exception exception)
    {
        if (exception is not IOException io)
        {
            return false;
        }

        return OperatingSystem.IsWindows()
            ? io.HResult is WindowsDiskFull or WindowsHandleDiskFull
            : io.HResult == ENOSPC || io.HResult == EDQUOT;
    }

    /// <summary>
    /// Describes an errno as its symbolic name, number and the platform's text, e.g. "EIO (errno 5: Input/output error)".
    /// </summary>
    internal static string DescribeErrno(int errno)
    {
        string name = errno switch
        {
            1 => "EPERM",
            2 => "ENOENT",
            4 => "EINTR",
            5 => "EIO",
            9 => "EBADF",
            12 => "ENOMEM",
            13 => "EACCES",
            22 => "EINVAL",
            25 => "ENOTTY",
            27 => "EFBIG",
            28 => "ENOSPC",
            30 => "EROFS",
            _ when errno == EDQUOT => "EDQUOT",
            _ when errno == (IsApple ? 35 : 11) => "EAGAIN",
            _ when errno == (IsApple ? 45 : 95) => "ENOTSUP",
            _ => "errno",
        };
        return $"{name} (errno {errno}: {Marshal.GetPInvokeErrorMessage(errno)})";
    }

    /// <summary>Describes the platform error carried by an exception: the errno on Unix, the HRESULT on Windows.</summary>
    internal static string DescribeCode(int code)
        => !OperatingSystem.IsWindows() && code > 0 && code < 4096 ? DescribeErrno(code) : $"HRESULT 0x{code:X8}";

    /// <summary>Creates the exception for a failed flush of file data (fdatasync, fsync or F_FULLFSYNC).</summary>
    internal static IOException FlushFailed(string path, string call, int errno)
        => new IOException(
            $"Flushing '{path}' to stable storage failed: {call} returned {DescribeErrno(errno)}. The writes since the last "
            + "successful flush may be lost. Do not retry the flush and trust it: the log must stop accepting writes "
            + "and re-validate its files when reopened.",
            errno);

    /// <summary>Creates the exception for a failed fsync of a directory.</summary>
    internal static IOException SyncDirectoryFailed(string directory, string call, int errno)
        => new IOException(
            $"Making file creations, renames and deletions in directory '{directory}' durable failed: {call} returned "
            + $"{DescribeErrno(errno)}. Those changes may be lost on power failure.",
            errno);

    // The wrappers below keep the platform's code in HResult and its text in the message. They create a plain
    // IOException (which cannot carry both an inner exception and an HResult) so that callers and tests see the
    // same exception type from the real and the simulated storage.

    /// <summary>Wraps a failed write, naming the file, range and the platform error.</summary>
    internal static IOException WriteFailed(string path, long position, int count, IOException inner)
        => new IOException(
            $"Writing {count} bytes at position {position} to '{path}' failed: {DescribeCode(inner.HResult)}. Part of the "
            + $"data may have been written.{DiskFullAdvice(inner)} ({inner.Message})",
            inner.HResult);

    /// <summary>Wraps a failed change of a file's length.</summary>
    internal static IOException SetLengthFailed(string path, long length, IOException inner)
        => new IOException(
            $"Setting the length of '{path}' to {length} bytes failed: {DescribeCode(inner.HResult)}."
            + $"{DiskFullAdvice(inner)} ({inner.Message})",
            inner.HResult);

    /// <summary>Wraps a failed read.</summary>
    internal static IOException ReadFailed(string path, long position, int count, IOException inner)
        => new IOException(
            $"Reading {count} bytes at position {position} from '{path}' failed: {DescribeCode(inner.HResult)}. ({inner.Message})",
            inner.HResult);

    /// <summary>Creates a disk-full exception as the platform would report it (used by simulated storage).</summary>
    internal static IOException DiskFull(string operation, string path)
        => new IOException(
            $"{operation} on '{path}' failed: {DescribeCode(DiskFullCode)}. The disk is full; free space and retry.",
            DiskFullCode);

    /// <summary>Creates a device I/O error as the platform would report it (used by simulated storage).</summary>
    internal static IOException DeviceError(string operation, string path)
        => new IOException($"{operation} on '{path}' failed: {DescribeCode(DeviceErrorCode)}.", DeviceErrorCode);

    private static string DiskFullAdvice(Exception inner)
        => IsDiskFull(inner) ? " The disk is full: free space (for example through retention) and retry." : string.Empty;
}

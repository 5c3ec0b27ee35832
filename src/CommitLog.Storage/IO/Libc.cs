using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace CommitLog.Storage.IO;

/// <summary>
/// The few libc calls .NET does not expose with a checked result: <c>fdatasync</c>, <c>fsync</c>,
/// <c>fcntl(F_FULLFSYNC)</c>, <c>flock</c> and <c>open</c> of a directory. Every caller checks the return value
/// and reads <c>errno</c> through <see cref="Marshal.GetLastPInvokeError"/>.
/// </summary>
/// <remarks>
/// <c>fcntl</c> and <c>open</c> are variadic in C. They are declared here without the variadic argument, which is
/// correct on every ABI only because the calls made never pass one (<c>F_FULLFSYNC</c> takes no argument and
/// <c>open</c> is never called with <c>O_CREAT</c>).
/// </remarks>
internal static partial class Libc
{
    internal const int EINTR = 4;
    internal const int LockExclusive = 2;   // LOCK_EX, the same on Linux, macOS and the BSDs
    internal const int LockNonBlocking = 4; // LOCK_NB
    internal const int FullFsyncCommand = 51; // F_FULLFSYNC (macOS, iOS)
    private const string Library = "libc";

    [LibraryImport(Library, EntryPoint = "fdatasync", SetLastError = true)]
    internal static partial int FDataSync(SafeFileHandle fd);

    [LibraryImport(Library, EntryPoint = "fsync", SetLastError = true)]
    internal static partial int FSync(SafeFileHandle fd);

    [LibraryImport(Library, EntryPoint = "fsync", SetLastError = true)]
    internal static partial int FSync(int fd);

    [LibraryImport(Library, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int FcntlNoArgument(SafeFileHandle fd, int command);

    [LibraryImport(Library, EntryPoint = "flock", SetLastError = true)]
    internal static partial int FLock(SafeFileHandle fd, int operation);

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int OpenNoMode(string path, int flags);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    /// <summary>Gets the <c>open</c> flags for a read-only, close-on-exec open of a directory on this platform.</summary>
    internal static int OpenDirectoryFlags
    {
        get
        {
            const int readOnly = 0;
            if (OperatingSystem.IsMacOS() || OperatingSystem.IsIOS() || OperatingSystem.IsTvOS() || OperatingSystem.IsMacCatalyst())
            {
                return readOnly | 0x100000 /* O_DIRECTORY */ | 0x1000000 /* O_CLOEXEC */;
            }

            if (OperatingSystem.IsLinux() || OperatingSystem.IsAndroid())
            {
                // O_DIRECTORY is 0200000 on x86/x64/s390x/riscv/loongarch, 040000 on arm/arm64/ppc.
                int directory = RuntimeInformation.ProcessArchitecture switch
                {
                    Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le => 0x4000,
                    _ => 0x10000,
                };
                return readOnly | directory | 0x80000 /* O_CLOEXEC */;
            }

            // Other Unix: O_RDONLY alone opens a directory everywhere; O_DIRECTORY only adds a check.
            return readOnly;
        }
    }
}

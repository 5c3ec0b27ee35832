using Microsoft.Win32.SafeHandles;

namespace CommitLog.Storage.IO;

/// <summary>
/// The real storage: files on the local file system, written with positional I/O and flushed with a checked
/// <c>fdatasync</c> (see <see cref="ISegmentFile.Flush"/> for the platform details).
/// </summary>
/// <remarks>
/// <para>This class is stateless apart from the process-wide registry of locked directories and is thread-safe.</para>
/// <para>
/// Durability: a completed <see cref="ISegmentFile.Write"/> survives a crash of the process but not of the OS; a
/// completed <see cref="ISegmentFile.Flush"/> survives a power loss if the device honours flushes. Creating,
/// renaming and deleting files survive a power loss only after <see cref="SyncDirectory"/> of the parent.
/// On Linux the flush calls <c>fdatasync</c> and the directory sync <c>fsync</c>, and both check the result
/// (.NET's own <c>FileStream.Flush(true)</c> ignores a failed fsync there). On macOS files are flushed with
/// <c>fcntl(F_FULLFSYNC)</c>. On Windows <c>FlushFileBuffers</c> is used and directory syncs are not needed.
/// </para>
/// </remarks>
public sealed class FileSegmentStorage : ISegmentStorage
{
    private FileSegmentStorage()
    {
    }

    /// <summary>Gets the shared instance.</summary>
    public static FileSegmentStorage Instance { get; } = new();

    /// <inheritdoc />
    public ISegmentFile OpenFile(string path, bool create)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);

        // FileShare.Delete lets retention delete a segment that a reader still has open (POSIX semantics on Windows).
        SafeFileHandle handle = File.OpenHandle(
            path,
            create ? FileMode.OpenOrCreate : FileMode.Open,
            FileAccess.ReadWrite,
            FileShare.ReadWrite | FileShare.Delete);
        return new FileSegmentFile(path, handle);
    }

    /// <inheritdoc />
    public bool FileExists(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return File.Exists(path);
    }

    /// <inheritdoc />
    public void DeleteFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.Delete(path);
    }

    /// <inheritdoc />
    public void RenameFile(string source, string destination)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentException.ThrowIfNullOrEmpty(destination);

        // rename(2) replaces the destination atomically.
        File.Move(source, destination, overwrite: true);
    }

    /// <inheritdoc />
    public void CreateDirectory(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Directory.CreateDirectory(path);
    }

    /// <inheritdoc />
    public bool DirectoryExists(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Directory.Exists(path);
    }

    /// <inheritdoc />
    public IReadOnlyList<string> ListFiles(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var names = new List<string>();
        foreach (string file in Directory.EnumerateFiles(directory))
        {
            names.Add(Path.GetFileName(file));
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <inheritdoc />
    public void SyncDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        DurabilityBarrier.SyncDirectory(directory);
    }

    /// <inheritdoc />
    /// <remarks>The lock is the file <c>.lock</c> in the directory, which is created if needed and left in place.</remarks>
    public IDisposable LockDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return FileDirectoryLock.Acquire(directory);
    }
}

namespace CommitLog.Storage.IO;

/// <summary>
/// The storage seam: every file-system operation of the log goes through this interface, so that tests can
/// substitute a simulated disk that fails, tears or forgets unflushed writes. The real implementation is
/// <c>FileSegmentStorage</c>.
/// </summary>
/// <remarks>
/// Contract for implementations:
/// <list type="bullet">
/// <item>Failures surface as <see cref="IOException"/> (disk full, I/O error) or <see cref="FileNotFoundException"/>;
/// never as a silent success.</item>
/// <item>Creating, renaming and deleting files is durable only after <see cref="SyncDirectory"/> of the parent.</item>
/// <item>Methods are safe to call concurrently for different files.</item>
/// </list>
/// </remarks>
public interface ISegmentStorage
{
    /// <summary>Opens a file for reading and writing, creating it (empty) when <paramref name="create"/> is set.</summary>
    /// <param name="path">The full path of the file.</param>
    /// <param name="create">Whether to create the file if it does not exist.</param>
    /// <returns>An open file; dispose it to close it.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist and <paramref name="create"/> is false.</exception>
    /// <exception cref="IOException">The file could not be opened or created.</exception>
    ISegmentFile OpenFile(string path, bool create);

    /// <summary>Returns whether a file exists at <paramref name="path"/>.</summary>
    bool FileExists(string path);

    /// <summary>Deletes a file; does nothing if it does not exist.</summary>
    void DeleteFile(string path);

    /// <summary>Renames a file, atomically replacing <paramref name="destination"/> if it exists.</summary>
    void RenameFile(string source, string destination);

    /// <summary>Creates a directory and its parents; does nothing if it exists.</summary>
    void CreateDirectory(string path);

    /// <summary>Returns whether a directory exists.</summary>
    bool DirectoryExists(string path);

    /// <summary>Lists the names (not paths) of the files directly in <paramref name="directory"/>.</summary>
    IReadOnlyList<string> ListFiles(string directory);

    /// <summary>Makes creations, renames and deletions in <paramref name="directory"/> durable (fsync of the directory).</summary>
    /// <exception cref="IOException">The flush failed.</exception>
    void SyncDirectory(string directory);

    /// <summary>
    /// Takes an exclusive lock on <paramref name="directory"/> for this process and instance, held until the
    /// returned object is disposed.
    /// </summary>
    /// <exception cref="LogDirectoryLockedException">Another process or instance holds the lock.</exception>
    IDisposable LockDirectory(string directory);
}

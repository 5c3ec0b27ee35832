namespace CommitLog.Storage.IO;

/// <summary>
/// Storage held entirely in memory, for unit tests and short-lived in-process brokers: files and directories live in
/// this object and disappear with it. It has no fault injection and no notion of a crash; every completed write is
/// as durable as the object itself, so <see cref="ISegmentFile.Flush"/> and <see cref="SyncDirectory"/> do nothing.
/// </summary>
/// <remarks>
/// <para>Thread-safe: every call takes one lock, so concurrent reads and writes of one file are serialized.</para>
/// <para>Paths are normalized with <see cref="Path.GetFullPath(string)"/>; the root of the path always exists.
/// Directory locks are kept in memory and create no <c>.lock</c> file.</para>
/// </remarks>
public sealed class InMemorySegmentStorage : ISegmentStorage
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, FileData> _files = new(StringComparer.Ordinal);
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);
    private readonly HashSet<string> _locks = new(StringComparer.Ordinal);

    /// <summary>Gets the total length of all files in bytes.</summary>
    public long UsedBytes
    {
        get
        {
            lock (_gate)
            {
                return _files.Values.Sum(f => f.Length);
            }
        }
    }

    /// <inheritdoc />
    public ISegmentFile OpenFile(string path, bool create)
    {
        string full = Normalize(path);
        lock (_gate)
        {
            if (!_files.TryGetValue(full, out FileData? data))
            {
                if (!create)
                {
                    throw new FileNotFoundException($"Could not find file '{full}'.", full);
                }

                RequireDirectory(Path.GetDirectoryName(full), full);
                data = new FileData();
                _files[full] = data;
            }

            return new MemoryFile(this, full, data);
        }
    }

    /// <inheritdoc />
    public bool FileExists(string path)
    {
        string full = Normalize(path);
        lock (_gate)
        {
            return _files.ContainsKey(full);
        }
    }

    /// <inheritdoc />
    public void DeleteFile(string path)
    {
        string full = Normalize(path);
        lock (_gate)
        {
            _files.Remove(full);
        }
    }

    /// <inheritdoc />
    public void RenameFile(string source, string destination)
    {
        string from = Normalize(source);
        string to = Normalize(destination);
        lock (_gate)
        {
            if (!_files.TryGetValue(from, out FileData? data))
            {
                throw new FileNotFoundException($"Could not find file '{from}'.", from);
            }

            RequireDirectory(Path.GetDirectoryName(to), to);
            _files.Remove(from);
            _files[to] = data;
        }
    }

    /// <inheritdoc />
    public void CreateDirectory(string path)
    {
        string full = Normalize(path);
        lock (_gate)
        {
            for (string? dir = full; dir is not null && !DirectoryExistsLocked(dir); dir = Path.GetDirectoryName(dir))
            {
                if (_files.ContainsKey(dir))
                {
                    throw new IOException($"Cannot create directory '{full}': '{dir}' is a file.");
                }

                _directories.Add(dir);
            }
        }
    }

    /// <inheritdoc />
    public bool DirectoryExists(string path)
    {
        string full = Normalize(path);
        lock (_gate)
        {
            return DirectoryExistsLocked(full);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> ListFiles(string directory)
    {
        string full = Normalize(directory);
        lock (_gate)
        {
            RequireDirectory(full, full);
            return Children(_files.Keys, full);
        }
    }

    /// <summary>Lists the names (not paths) of the directories directly in <paramref name="directory"/>, in ordinal order.</summary>
    /// <param name="directory">The parent directory.</param>
    /// <returns>The names of its subdirectories.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    public IReadOnlyList<string> ListDirectories(string directory)
    {
        string full = Normalize(directory);
        lock (_gate)
        {
            RequireDirectory(full, full);
            return Children(_directories, full);
        }
    }

    /// <summary>Deletes an empty directory; does nothing if it does not exist.</summary>
    /// <param name="path">The directory.</param>
    /// <exception cref="IOException">The directory still holds files or directories.</exception>
    public void DeleteDirectory(string path)
    {
        string full = Normalize(path);
        lock (_gate)
        {
            if (!_directories.Contains(full))
            {
                return;
            }

            if (Children(_files.Keys, full).Count > 0 || Children(_directories, full).Count > 0)
            {
                throw new IOException($"The directory '{full}' is not empty.");
            }

            _directories.Remove(full);
        }
    }

    /// <inheritdoc />
    public void SyncDirectory(string directory)
    {
        string full = Normalize(directory);
        lock (_gate)
        {
            RequireDirectory(full, full);
        }
    }

    /// <inheritdoc />
    public IDisposable LockDirectory(string directory)
    {
        string full = Normalize(directory);
        lock (_gate)
        {
            if (!_locks.Add(full))
            {
                throw new LogDirectoryLockedException(full);
            }

            return new DirectoryLock(this, full);
        }
    }

    private static string Normalize(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
    }

    private static List<string> Children(IEnumerable<string> paths, string parent)
    {
        var names = new List<string>();
        foreach (string path in paths)
        {
            if (string.Equals(Path.GetDirectoryName(path), parent, StringComparison.Ordinal))
            {
                names.Add(Path.GetFileName(path));
            }
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private bool DirectoryExistsLocked(string path)
        => _directories.Contains(path) || string.Equals(Path.GetPathRoot(path), path, StringComparison.Ordinal);

    private void RequireDirectory(string? directory, string path)
    {
        if (directory is null || !DirectoryExistsLocked(directory))
        {
            throw new DirectoryNotFoundException($"Could not find a part of the path '{path}'.");
        }
    }

    private sealed class FileData
    {
        public byte[] Bytes { get; set; } = [];

        public long Length { get; set; }

        public void EnsureCapacity(long length)
        {
            if (length > Array.MaxLength)
            {
                throw new IOException($"An in-memory file cannot grow beyond {Array.MaxLength} bytes (requested {length}).");
            }

            if (length > Bytes.Length)
            {
                var grown = new byte[(int)Math.Min(Array.MaxLength, Math.Max(length, Math.Max(4096, (long)Bytes.Length * 2)))];
                Bytes.AsSpan(0, (int)Length).CopyTo(grown);
                Bytes = grown;
            }
        }
    }

    private sealed class MemoryFile(InMemorySegmentStorage storage, string path, FileData data) : ISegmentFile
    {
        private int _disposed;

        public string Path { get; } = path;

        public long Length
        {
            get
            {
                lock (storage._gate)
                {
                    ThrowIfDisposed();
                    return data.Length;
                }
            }
        }

        public int Read(long position, Span<byte> destination)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(position);
            lock (storage._gate)
            {
                ThrowIfDisposed();
                if (position >= data.Length)
                {
                    return 0;
                }

                int count = (int)Math.Min(destination.Length, data.Length - position);
                data.Bytes.AsSpan((int)position, count).CopyTo(destination);
                return count;
            }
        }

        public void Write(long position, ReadOnlySpan<byte> source)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(position);
            lock (storage._gate)
            {
                ThrowIfDisposed();
                long end = position + source.Length;
                data.EnsureCapacity(end);
                source.CopyTo(data.Bytes.AsSpan((int)position));
                data.Length = Math.Max(data.Length, end);
            }
        }

        public void Flush()
        {
            lock (storage._gate)
            {
                ThrowIfDisposed();
            }
        }

        public void SetLength(long length)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(length);
            lock (storage._gate)
            {
                ThrowIfDisposed();
                data.EnsureCapacity(length);
                if (length < data.Length)
                {
                    data.Bytes.AsSpan((int)length, (int)(data.Length - length)).Clear();
                }

                data.Length = length;
            }
        }

        public void Dispose() => Interlocked.Exchange(ref _disposed, 1);

        private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
    }

    private sealed class DirectoryLock(InMemorySegmentStorage storage, string directory) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                lock (storage._gate)
                {
                    storage._locks.Remove(directory);
                }
            }
        }
    }
}

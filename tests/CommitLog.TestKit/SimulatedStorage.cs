using CommitLog.Storage;
using CommitLog.Storage.IO;

namespace CommitLog.TestKit;

/// <summary>
/// An in-memory disk for power-loss and fault tests, deterministic from its seed. It keeps, per file, the durable
/// content (as of the last successful flush) and the volatile content (every completed write), and, for the
/// directory entries, which creations, renames and deletions were made durable by a <see cref="SyncDirectory"/> of
/// their parent. <see cref="Crash"/> turns the disk into what a power loss could leave; <see cref="AddFault"/> fails
/// chosen calls; <see cref="CapacityBytes"/> makes the disk fill up; <see cref="FlipBit"/> corrupts stored data.
/// </summary>
/// <remarks>
/// <para>Thread-safe: every call takes one lock.</para>
/// <para>
/// Simplifications: a rename is one change, made durable by syncing either the source's or the destination's
/// directory; directories cannot be deleted; the lock of <see cref="LockDirectory"/> is kept in memory and creates
/// no <c>.lock</c> file; a failed flush behaves as on Linux (the pending writes are dropped from the flush, so a
/// later successful flush does not make them durable, while reads still return them).
/// </para>
/// </remarks>
public sealed partial class SimulatedStorage : ISegmentStorage
{
    private readonly Lock _gate = new();
    private readonly Random _random;
    private readonly Dictionary<string, SimulatedInode> _files = new(StringComparer.Ordinal);
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimulatedInode> _durableFiles = new(StringComparer.Ordinal);
    private readonly HashSet<string> _durableDirectories = new(StringComparer.Ordinal);
    private readonly List<NamespaceChange> _changes = [];
    private readonly HashSet<string> _locks = new(StringComparer.Ordinal);

    /// <summary>Creates an empty disk.</summary>
    /// <param name="seed">The seed of the random choices of the disk itself (partial writes of failing calls).</param>
    public SimulatedStorage(int seed = 0)
    {
        Seed = seed;
        _random = new Random(seed);
    }

    /// <summary>Gets the seed the disk was created with.</summary>
    public int Seed { get; }

    /// <summary>Gets the number of crashes so far; files opened before the last crash are unusable.</summary>
    public int Generation { get; private set; }

    /// <inheritdoc />
    public ISegmentFile OpenFile(string path, bool create)
    {
        string full = Normalize(path);
        lock (_gate)
        {
            Begin(StorageOperation.Open, full);
            if (!_files.TryGetValue(full, out SimulatedInode? inode))
            {
                if (!create)
                {
                    throw Fail(new FileNotFoundException($"Could not find file '{full}'.", full));
                }

                RequireDirectory(Parent(full), full);
                inode = new SimulatedInode([]);
                _files[full] = inode;
                _changes.Add(new NamespaceChange(StorageOperation.Open, full, null, inode));
            }

            inode.OpenCount++;
            _openInodes.Add(inode);
            End();
            return new SimulatedFile(this, full, inode, Generation);
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
            Begin(StorageOperation.Delete, full);
            if (_files.Remove(full, out SimulatedInode? inode))
            {
                _changes.Add(new NamespaceChange(StorageOperation.Delete, full, null, inode));
            }

            End();
        }
    }

    /// <inheritdoc />
    public void RenameFile(string source, string destination)
    {
        string from = Normalize(source);
        string to = Normalize(destination);
        lock (_gate)
        {
            Begin(StorageOperation.Rename, from, to);
            if (!_files.Remove(from, out SimulatedInode? inode))
            {
                throw Fail(new FileNotFoundException($"Could not find file '{from}'.", from));
            }

            if (Parent(to) is not string toParent || !DirectoryExistsLocked(toParent))
            {
                _files[from] = inode;
                throw Fail(new DirectoryNotFoundException($"Could not find a part of the path '{to}'."));
            }

            _files[to] = inode;
            _changes.Add(new NamespaceChange(StorageOperation.Rename, from, to, inode));
            End();
        }
    }

    /// <inheritdoc />
    public void CreateDirectory(string path)
    {
        string full = Normalize(path);
        lock (_gate)
        {
            Begin(StorageOperation.CreateDirectory, full);
            var missing = new Stack<string>();
            for (string? dir = full; dir is not null && !DirectoryExistsLocked(dir); dir = Parent(dir))
            {
                if (_files.ContainsKey(dir))
                {
                    throw Fail(new IOException($"Cannot create directory '{full}': '{dir}' is a file."));
                }

                missing.Push(dir);
            }

            while (missing.TryPop(out string? dir))
            {
                _directories.Add(dir);
                _changes.Add(new NamespaceChange(StorageOperation.CreateDirectory, dir, null, null));
            }

            End();
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
            Begin(StorageOperation.List, full);
            RequireDirectory(full, full);
            var names = _files.Keys.Where(p => Parent(p) == full).Select(p => Path.GetFileName(p)).ToList();
            names.Sort(StringComparer.Ordinal);
            End();
            return names;
        }
    }

    /// <inheritdoc />
    public void SyncDirectory(string directory)
    {
        string full = Normalize(directory);
        lock (_gate)
        {
            Begin(StorageOperation.SyncDirectory, full);
            RequireDirectory(full, full);
            foreach (NamespaceChange change in _changes)
            {
                if (Parent(change.Path) == full || (change.Destination is not null && Parent(change.Destination) == full))
                {
                    change.Durable = true;
                }
            }

            int durablePrefix = 0;
            while (durablePrefix < _changes.Count && _changes[durablePrefix].Durable)
            {
                ApplyTo(_durableFiles, _durableDirectories, _changes[durablePrefix]);
                durablePrefix++;
            }

            _changes.RemoveRange(0, durablePrefix);
            End();
        }
    }

    /// <inheritdoc />
    public IDisposable LockDirectory(string directory)
    {
        string full = Normalize(directory);
        lock (_gate)
        {
            Begin(StorageOperation.Lock, full);
            if (!_locks.Add(full))
            {
                throw Fail(new LogDirectoryLockedException(full) { LogDirectory = full });
            }

            End();
            return new DirectoryLock(this, full, Generation);
        }
    }

    private static string Normalize(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
    }

    private static string? Parent(string path) => Path.GetDirectoryName(path);

    private bool DirectoryExistsLocked(string path)
        => _directories.Contains(path) || string.Equals(Path.GetPathRoot(path), path, StringComparison.Ordinal);

    private void RequireDirectory(string? directory, string path)
    {
        if (directory is null || !DirectoryExistsLocked(directory))
        {
            throw Fail(new DirectoryNotFoundException($"Could not find a part of the path '{path}'."));
        }
    }

    private static void ApplyTo(Dictionary<string, SimulatedInode> files, HashSet<string> directories, NamespaceChange change)
    {
        switch (change.Kind)
        {
            case StorageOperation.Open:
                files[change.Path] = change.Inode!;
                break;
            case StorageOperation.CreateDirectory:
                directories.Add(change.Path);
                break;
            case StorageOperation.Delete:
                if (files.TryGetValue(change.Path, out SimulatedInode? deleted) && deleted == change.Inode)
                {
                    files.Remove(change.Path);
                }

                break;
            case StorageOperation.Rename:
                if (files.TryGetValue(change.Path, out SimulatedInode? renamed) && renamed == change.Inode)
                {
                    files.Remove(change.Path);
                }

                files[change.Destination!] = change.Inode!;
                break;
        }
    }

    private sealed class NamespaceChange(StorageOperation kind, string path, string? destination, SimulatedInode? inode)
    {
        public StorageOperation Kind { get; } = kind;

        public string Path { get; } = path;

        public string? Destination { get; } = destination;

        public SimulatedInode? Inode { get; } = inode;

        public bool Durable { get; set; }

        public StorageEvent ToEvent() => new(0, Kind, Path, Destination, Failed: false);
    }

    private sealed class DirectoryLock(SimulatedStorage storage, string directory, int generation) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                storage.ReleaseLock(directory, generation);
            }
        }
    }
}

using CommitLog.Storage.IO;

namespace CommitLog.TestKit;

/// <summary>
/// Wraps any <see cref="ISegmentStorage"/> (for example the real <c>FileSegmentStorage</c>) and records every call
/// except reads, so that tests can check the order of operations; in particular that every creation, rename and
/// deletion is followed by a <see cref="SyncDirectory"/> of its parent before the next acknowledgement (R7).
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class TrackingStorage(ISegmentStorage inner) : ISegmentStorage
{
    private readonly Lock _gate = new();
    private readonly List<StorageEvent> _events = [];
    private readonly List<StorageEvent> _unsynced = [];
    private long _sequence;

    /// <summary>Gets the wrapped storage.</summary>
    public ISegmentStorage Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <summary>Gets a copy of the recorded calls, oldest first.</summary>
    public IReadOnlyList<StorageEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Gets the successful creations, renames and deletions not yet followed by a sync of their parent directory.</summary>
    public IReadOnlyList<StorageEvent> UnsyncedDirectoryChanges
    {
        get
        {
            lock (_gate)
            {
                return [.. _unsynced];
            }
        }
    }

    /// <inheritdoc />
    public ISegmentFile OpenFile(string path, bool create)
    {
        bool existed = create && Inner.FileExists(path);
        ISegmentFile file = Track(
            StorageOperation.Open, path, null, () => Inner.OpenFile(path, create), namespaceChange: create && !existed);
        return new TrackingFile(this, file);
    }

    /// <inheritdoc />
    public bool FileExists(string path) => Inner.FileExists(path);

    /// <inheritdoc />
    public void DeleteFile(string path)
        => Track(StorageOperation.Delete, path, null, () => { Inner.DeleteFile(path); return 0; }, namespaceChange: true);

    /// <inheritdoc />
    public void RenameFile(string source, string destination)
        => Track(
            StorageOperation.Rename,
            source,
            destination,
            () => { Inner.RenameFile(source, destination); return 0; },
            namespaceChange: true);

    /// <inheritdoc />
    public void CreateDirectory(string path)
    {
        bool existed = Inner.DirectoryExists(path);
        Track(StorageOperation.CreateDirectory, path, null, () => { Inner.CreateDirectory(path); return 0; }, namespaceChange: !existed);
    }

    /// <inheritdoc />
    public bool DirectoryExists(string path) => Inner.DirectoryExists(path);

    /// <inheritdoc />
    public IReadOnlyList<string> ListFiles(string directory)
        => Track(StorageOperation.List, directory, null, () => Inner.ListFiles(directory), namespaceChange: false);

    /// <inheritdoc />
    public void SyncDirectory(string directory)
    {
        Track(StorageOperation.SyncDirectory, directory, null, () => { Inner.SyncDirectory(directory); return 0; }, namespaceChange: false);
        string full = Normalize(directory);
        lock (_gate)
        {
            _unsynced.RemoveAll(e => Path.GetDirectoryName(Normalize(e.Path)) == full
                || (e.Destination is not null && Path.GetDirectoryName(Normalize(e.Destination)) == full));
        }
    }

    /// <inheritdoc />
    public IDisposable LockDirectory(string directory)
        => Track(StorageOperation.Lock, directory, null, () => Inner.LockDirectory(directory), namespaceChange: false);

    /// <summary>Forgets the recorded calls (not the unsynced changes).</summary>
    public void ClearEvents()
    {
        lock (_gate)
        {
            _events.Clear();
        }
    }

    internal T Track<T>(StorageOperation operation, string path, string? destination, Func<T> call, bool namespaceChange)
    {
        try
        {
            T result = call();
            Record(operation, path, destination, failed: false, namespaceChange);
            return result;
        }
        catch
        {
            Record(operation, path, destination, failed: true, namespaceChange: false);
            throw;
        }
    }

    private void Record(StorageOperation operation, string path, string? destination, bool failed, bool namespaceChange)
    {
        lock (_gate)
        {
            var entry = new StorageEvent(++_sequence, operation, path, destination, failed);
            _events.Add(entry);
            if (namespaceChange)
            {
                _unsynced.Add(entry);
            }
        }
    }

    private static string Normalize(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    private sealed class TrackingFile(TrackingStorage owner, ISegmentFile inner) : ISegmentFile
    {
        public string Path => inner.Path;

        public long Length => inner.Length;

        public int Read(long position, Span<byte> destination) => inner.Read(position, destination);

        public void Write(long position, ReadOnlySpan<byte> source)
        {
            // A span cannot be captured by the lambda of Track, so this call is recorded by hand.
            try
            {
                inner.Write(position, source);
            }
            catch
            {
                owner.Record(StorageOperation.Write, Path, null, failed: true, namespaceChange: false);
                throw;
            }

            owner.Record(StorageOperation.Write, Path, null, failed: false, namespaceChange: false);
        }

        public void Flush() => owner.Track(StorageOperation.Flush, Path, null, () => { inner.Flush(); return 0; }, namespaceChange: false);

        public void SetLength(long length)
            => owner.Track(StorageOperation.SetLength, Path, null, () => { inner.SetLength(length); return 0; }, namespaceChange: false);

        public void Dispose()
        {
            inner.Dispose();
            owner.Record(StorageOperation.Close, Path, null, failed: false, namespaceChange: false);
        }
    }
}

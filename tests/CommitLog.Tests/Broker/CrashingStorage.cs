using CommitLog.Storage.IO;

namespace CommitLog.Tests.Broker;

/// <summary>
/// Wraps a storage and "crashes the process" at the n-th call: that call and every later one, on the storage or on a
/// file opened through it, throws <see cref="IOException"/> without reaching the inner storage.
/// </summary>
internal sealed class CrashingStorage(ISegmentStorage inner, long crashAtCall) : ISegmentStorage
{
    private long _calls;

    public long Calls => Interlocked.Read(ref _calls);

    public bool Crashed => Calls >= crashAtCall;

    public ISegmentFile OpenFile(string path, bool create) => new File(this, Call(() => inner.OpenFile(path, create)));

    public bool FileExists(string path) => Call(() => inner.FileExists(path));

    public void DeleteFile(string path) => Call(() => inner.DeleteFile(path));

    public void RenameFile(string source, string destination) => Call(() => inner.RenameFile(source, destination));

    public void CreateDirectory(string path) => Call(() => inner.CreateDirectory(path));

    public bool DirectoryExists(string path) => Call(() => inner.DirectoryExists(path));

    public IReadOnlyList<string> ListFiles(string directory) => Call(() => inner.ListFiles(directory));

    public void SyncDirectory(string directory) => Call(() => inner.SyncDirectory(directory));

    public IDisposable LockDirectory(string directory) => Call(() => inner.LockDirectory(directory));

    private void Call(Action action) => Call(() =>
    {
        action();
        return 0;
    });

    private T Call<T>(Func<T> action)
    {
        if (Interlocked.Increment(ref _calls) >= crashAtCall)
        {
            throw new IOException($"Simulated process crash at storage call {crashAtCall}.");
        }

        return action();
    }

    private sealed class File(CrashingStorage storage, ISegmentFile inner) : ISegmentFile
    {
        public string Path => inner.Path;

        public long Length => storage.Call(() => inner.Length);

        public int Read(long position, Span<byte> destination)
        {
            storage.Call(() => { });
            return inner.Read(position, destination);
        }

        public void Write(long position, ReadOnlySpan<byte> source)
        {
            storage.Call(() => { });
            inner.Write(position, source);
        }

        public void Flush() => storage.Call(inner.Flush);

        public void SetLength(long length) => storage.Call(() => inner.SetLength(length));

        public void Dispose()
        {
            // Closing a handle after the crash does nothing: the simulated power loss invalidates it anyway.
            if (!storage.Crashed)
            {
                inner.Dispose();
            }
        }
    }
}

using CommitLog.Storage.IO;

namespace CommitLog.TestKit;

/// <summary>
/// Wraps any <see cref="ISegmentStorage"/> to stop the world at a chosen call and to count the bytes read.
/// After <see cref="DieAfter"/> mutating calls (open, write, flush, set-length, rename, delete, directory sync,
/// directory creation) have completed, or after <see cref="Kill"/>, the "process" is dead: every later call on the
/// storage or on a file opened through it throws <see cref="IOException"/> without reaching the inner storage, so a
/// log left behind by a simulated crash can never touch the disk again (closing files still passes through).
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class ProbeStorage(ISegmentStorage inner) : ISegmentStorage
{
    private long _mutatingCalls;
    private long _bytesRead;
    private long _dieAfter = long.MaxValue;
    private int _dead;

    /// <summary>Gets the wrapped storage.</summary>
    public ISegmentStorage Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <summary>Gets the number of mutating calls made so far (including the one that made the process die).</summary>
    public long MutatingCalls => Interlocked.Read(ref _mutatingCalls);

    /// <summary>Gets the number of bytes returned by reads so far.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>Gets a value indicating whether the process is dead.</summary>
    public bool IsDead => Volatile.Read(ref _dead) != 0;

    /// <summary>Gets or sets the number of mutating calls after which the process dies; <see cref="long.MaxValue"/> for never.</summary>
    public long DieAfter
    {
        get => Interlocked.Read(ref _dieAfter);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Interlocked.Exchange(ref _dieAfter, value);
            if (value <= MutatingCalls)
            {
                Kill();
            }
        }
    }

    /// <summary>Kills the process now: every later call throws.</summary>
    public void Kill() => Volatile.Write(ref _dead, 1);

    /// <inheritdoc />
    public ISegmentFile OpenFile(string path, bool create) => new ProbeFile(this, Mutate(() => Inner.OpenFile(path, create)));

    /// <inheritdoc />
    public bool FileExists(string path) => Query(() => Inner.FileExists(path));

    /// <inheritdoc />
    public void DeleteFile(string path) => Mutate(() => { Inner.DeleteFile(path); return 0; });

    /// <inheritdoc />
    public void RenameFile(string source, string destination) => Mutate(() => { Inner.RenameFile(source, destination); return 0; });

    /// <inheritdoc />
    public void CreateDirectory(string path) => Mutate(() => { Inner.CreateDirectory(path); return 0; });

    /// <inheritdoc />
    public bool DirectoryExists(string path) => Query(() => Inner.DirectoryExists(path));

    /// <inheritdoc />
    public IReadOnlyList<string> ListFiles(string directory) => Query(() => Inner.ListFiles(directory));

    /// <inheritdoc />
    public void SyncDirectory(string directory) => Mutate(() => { Inner.SyncDirectory(directory); return 0; });

    /// <inheritdoc />
    public IDisposable LockDirectory(string directory) => Query(() => Inner.LockDirectory(directory));

    private T Query<T>(Func<T> call)
    {
        ThrowIfDead();
        return call();
    }

    private T Mutate<T>(Func<T> call)
    {
        ThrowIfDead();
        try
        {
            return call();
        }
        finally
        {
            if (Interlocked.Increment(ref _mutatingCalls) >= DieAfter)
            {
                Kill();
            }
        }
    }

    private void ThrowIfDead()
    {
        if (IsDead)
        {
            throw new IOException($"Simulated crash: the process died after {MutatingCalls} mutating storage calls.");
        }
    }

    private sealed class ProbeFile(ProbeStorage owner, ISegmentFile inner) : ISegmentFile
    {
        public string Path => inner.Path;

        public long Length => owner.Query(() => inner.Length);

        public int Read(long position, Span<byte> destination)
        {
            owner.ThrowIfDead();
            var n = inner.Read(position, destination);
            Interlocked.Add(ref owner._bytesRead, n);
            return n;
        }

        public void Write(long position, ReadOnlySpan<byte> source)
        {
            owner.ThrowIfDead();
            try
            {
                inner.Write(position, source);
            }
            finally
            {
                if (Interlocked.Increment(ref owner._mutatingCalls) >= owner.DieAfter)
                {
                    owner.Kill();
                }
            }
        }

        public void Flush() => owner.Mutate(() => { inner.Flush(); return 0; });

        public void SetLength(long length) => owner.Mutate(() => { inner.SetLength(length); return 0; });

        public void Dispose() => inner.Dispose();
    }
}

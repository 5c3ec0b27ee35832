using Microsoft.Win32.SafeHandles;

namespace CommitLog.Storage.IO;

/// <summary>
/// A file of the log on the real file system: a <see cref="SafeFileHandle"/> used with positional reads and writes
/// (<c>pread</c>/<c>pwrite</c> through <see cref="RandomAccess"/>), without any managed buffering, so that a
/// completed <see cref="Write"/> is in the OS page cache and a completed <see cref="Flush"/> is on the device.
/// </summary>
/// <remarks>Thread-safe for reads and writes at different positions; <see cref="Dispose"/> must not race other calls.</remarks>
internal sealed class FileSegmentFile : ISegmentFile
{
    private readonly SafeFileHandle _handle;

    internal FileSegmentFile(string path, SafeFileHandle handle)
    {
        Path = path;
        _handle = handle;
    }

    /// <inheritdoc />
    public string Path { get; }

    /// <inheritdoc />
    public long Length
    {
        get
        {
            ThrowIfDisposed();
            return RandomAccess.GetLength(_handle);
        }
    }

    /// <inheritdoc />
    public int Read(long position, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ThrowIfDisposed();
        int total = 0;
        try
        {
            // pread may return fewer bytes than asked (signals, some file systems): loop until full or end of file.
            while (total < destination.Length)
            {
                int read = RandomAccess.Read(_handle, destination[total..], position + total);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }
        }
        catch (IOException e)
        {
            throw IOErrors.ReadFailed(Path, position, destination.Length, e);
        }

        return total;
    }

    /// <inheritdoc />
    public void Write(long position, ReadOnlySpan<byte> source)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ThrowIfDisposed();
        try
        {
            RandomAccess.Write(_handle, source, position);
        }
        catch (IOException e)
        {
            throw IOErrors.WriteFailed(Path, position, source.Length, e);
        }
    }

    /// <inheritdoc />
    public void Flush()
    {
        ThrowIfDisposed();
        DurabilityBarrier.FlushFile(_handle, Path);
    }

    /// <inheritdoc />
    public void SetLength(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ThrowIfDisposed();
        try
        {
            RandomAccess.SetLength(_handle, length);
        }
        catch (IOException e)
        {
            throw IOErrors.SetLengthFailed(Path, length, e);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();

    /// <inheritdoc />
    public override string ToString() => Path;

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
}

using System.Buffers;

namespace CommitLog.Storage;

/// <summary>
/// A growable <see cref="IBufferWriter{T}"/> over arrays rented from an <see cref="ArrayPool{T}"/>. <see cref="Reset"/>
/// keeps the array, so a reused writer stops allocating once it has grown to its working size.
/// </summary>
/// <remarks>Not thread-safe. <see cref="Dispose"/> returns the array to the pool.</remarks>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private const int MinimumSize = 256;
    private readonly ArrayPool<byte> _pool;
    private byte[] _buffer;
    private int _written;

    /// <summary>Initializes a new writer that rents from <paramref name="pool"/>.</summary>
    public PooledBufferWriter(ArrayPool<byte> pool, int initialCapacity = MinimumSize)
    {
        _pool = pool;
        _buffer = pool.Rent(Math.Max(initialCapacity, MinimumSize));
    }

    /// <summary>Gets the number of bytes written since the last <see cref="Reset"/>.</summary>
    public int WrittenCount => _written;

    /// <summary>Gets the written bytes.</summary>
    public Span<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    /// <summary>Gets the written bytes; valid until the next write, <see cref="Reset"/> or <see cref="Dispose"/>.</summary>
    public Memory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    /// <summary>Forgets the written bytes and keeps the array.</summary>
    public void Reset() => _written = 0;

    /// <summary>Forgets the written bytes and then reserves <paramref name="count"/> zeroed bytes at the start.</summary>
    public void ResetAndReserve(int count)
    {
        _written = 0;
        GetSpan(count)[..count].Clear();
        _written = count;
    }

    /// <inheritdoc/>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _written);
        _written += count;
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>
    /// Hands the array and the number of bytes written to the caller, who returns the array to the pool when done with
    /// it; the writer is then empty, as after <see cref="Dispose"/>.
    /// </summary>
    public (byte[] Buffer, int Length) Detach()
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        var detached = (_buffer, _written);
        _buffer = [];
        _written = 0;
        return detached;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            _pool.Return(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        long required = (long)_written + needed;
        if (required > Array.MaxLength)
        {
            throw new InvalidOperationException(
                $"A record batch cannot exceed {Array.MaxLength} bytes; {required} bytes were requested.");
        }

        long newSize = Math.Min(Math.Max(required, (long)_buffer.Length * 2), Array.MaxLength);
        byte[] bigger = _pool.Rent((int)newSize);
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        _pool.Return(_buffer);
        _buffer = bigger;
    }
}

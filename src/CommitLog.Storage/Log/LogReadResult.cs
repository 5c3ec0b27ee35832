using System.Buffers;

namespace CommitLog.Storage;

/// <summary>
/// Whole record batches read from a log, in pooled memory. Dispose the result to return the memory to the pool;
/// <see cref="Records"/> must not be used after that.
/// </summary>
/// <remarks>Not thread-safe; owned by the caller that read it.</remarks>
public sealed class LogReadResult : IDisposable
{
    private byte[]? _buffer;
    private readonly int _length;

    internal LogReadResult(byte[]? buffer, int length, long requestedOffset, long nextOffset, long highWatermark, long logStartOffset, long logEndOffset)
    {
        _buffer = buffer;
        _length = length;
        RequestedOffset = requestedOffset;
        NextOffset = nextOffset;
        HighWatermark = highWatermark;
        LogStartOffset = logStartOffset;
        LogEndOffset = logEndOffset;
    }

    /// <summary>Gets the encoded batches: zero or more whole RecordBatch v2 batches, each CRC-verified.</summary>
    /// <exception cref="ObjectDisposedException">The result was disposed.</exception>
    public ReadOnlyMemory<byte> Records
    {
        get
        {
            ObjectDisposedException.ThrowIf(_buffer is null && _length > 0, this);
            return _buffer is null ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, _length);
        }
    }

    /// <summary>Gets the size of <see cref="Records"/> in bytes.</summary>
    public int Length => _length;

    /// <summary>Gets a value indicating whether no batch was returned.</summary>
    public bool IsEmpty => _length == 0;

    /// <summary>Gets the offset that was asked for. The first batch may start before it (it is the batch that contains it).</summary>
    public long RequestedOffset { get; }

    /// <summary>Gets the offset to read next: after the last returned batch, or <see cref="RequestedOffset"/> when empty.</summary>
    public long NextOffset { get; }

    /// <summary>Gets the high watermark when the read was served.</summary>
    public long HighWatermark { get; }

    /// <summary>Gets the log start offset when the read was served.</summary>
    public long LogStartOffset { get; }

    /// <summary>Gets the log end offset when the read was served.</summary>
    public long LogEndOffset { get; }

    /// <summary>Returns the memory to the pool.</summary>
    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

using System.Buffers;
using CommitLog.Storage.IO;

namespace CommitLog.Storage;

/// <summary>
/// Walks the batches of a segment file from a position to an end position, reading large chunks rather than one
/// header at a time. Used by recovery, index rebuilds and tail checks.
/// </summary>
internal sealed class SegmentScanner : IDisposable
{
    private const int ChunkSize = 1 << 20;

    private readonly ISegmentFile _file;
    private readonly long _end;
    private readonly int _maxBatchBytes;
    private byte[] _buffer;
    private long _bufferPosition;
    private int _bufferLength;

    public SegmentScanner(ISegmentFile file, long start, long end, int maxBatchBytes)
    {
        _file = file;
        Position = start;
        _end = end;
        _maxBatchBytes = maxBatchBytes;
        _buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        _bufferPosition = start;
    }

    /// <summary>Gets the file position of the current batch (after <see cref="TryNext"/>) or of the next one.</summary>
    public long Position { get; private set; }

    /// <summary>Gets the total size of the current batch.</summary>
    public int CurrentSize { get; private set; }

    /// <summary>Gets the bytes of the current batch (valid after <see cref="TryNext"/> returned Valid).</summary>
    public ReadOnlySpan<byte> Current => _buffer.AsSpan((int)(Position - _bufferPosition), CurrentSize);

    /// <summary>Moves past the current batch.</summary>
    public void Advance()
    {
        Position += CurrentSize;
        CurrentSize = 0;
    }

    /// <summary>Reads the next batch's framing. Returns false at the end position.</summary>
    public bool TryNext(bool verifyCrc, out BatchStatus status)
    {
        CurrentSize = 0;
        if (Position >= _end)
        {
            status = BatchStatus.Valid;
            return false;
        }

        Fill(RecordBatchHeader.Size);
        var available = Available();
        status = BatchFraming.Check(Window(), _maxBatchBytes, verifyCrc: false, out var size);
        if (status == BatchStatus.Incomplete && size > 0 && size <= _end - Position)
        {
            Fill(size);
            status = BatchFraming.Check(Window(), _maxBatchBytes, verifyCrc, out size);
        }
        else if (status == BatchStatus.Valid)
        {
            if (size > available)
            {
                Fill(size);
            }

            status = BatchFraming.Check(Window(), _maxBatchBytes, verifyCrc, out size);
        }

        CurrentSize = status == BatchStatus.Valid ? size : 0;
        return true;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private long Available() => Math.Min(_bufferPosition + _bufferLength, _end) - Position;

    private ReadOnlySpan<byte> Window() => _buffer.AsSpan((int)(Position - _bufferPosition), (int)Available());

    /// <summary>Makes sure the buffer holds at least <paramref name="needed"/> bytes from <see cref="Position"/> (or up to the end).</summary>
    private void Fill(int needed)
    {
        if (Available() >= Math.Min(needed, _end - Position))
        {
            return;
        }

        if (needed > _buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(needed);
        }

        _bufferPosition = Position;
        var want = (int)Math.Min(_buffer.Length, _end - Position);
        var total = 0;
        while (total < want)
        {
            var n = _file.Read(Position + total, _buffer.AsSpan(total, want - total));
            if (n <= 0)
            {
                break;
            }

            total += n;
        }

        _bufferLength = total;
    }
}

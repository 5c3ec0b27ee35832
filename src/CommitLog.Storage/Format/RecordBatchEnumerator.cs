using System.Buffers.Binary;
using System.Collections;

namespace CommitLog.Storage;

/// <summary>
/// Enumerates the whole batches of a buffer of concatenated batches, stopping before an incomplete batch at the end.
/// Created by <see cref="RecordBatch.ReadAll"/>. Does not check CRCs (see <see cref="RecordBatch.IsCrcValid"/>).
/// </summary>
/// <remarks>A mutable struct: use it once, through <c>foreach</c>. Not thread-safe.</remarks>
public struct RecordBatchEnumerator : IEnumerator<RecordBatch>, IEnumerable<RecordBatch>
{
    private readonly ReadOnlyMemory<byte> _buffer;
    private int _position;
    private RecordBatch _current;

    internal RecordBatchEnumerator(ReadOnlyMemory<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
        _current = default;
    }

    /// <summary>Gets the batch at the current position.</summary>
    public readonly RecordBatch Current => _current;

    /// <inheritdoc/>
    readonly object IEnumerator.Current => _current;

    /// <summary>Gets the number of bytes taken by the whole batches returned so far.</summary>
    public readonly int BytesConsumed => _position;

    /// <summary>Gets a value indicating whether bytes of an incomplete batch remain after the whole ones returned.</summary>
    public readonly bool HasIncompleteTail => _position < _buffer.Length && !HasWholeBatchAt(_buffer.Span[_position..]);

    /// <summary>Returns this enumerator, so it can be used in <c>foreach</c>.</summary>
    public readonly RecordBatchEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next whole batch.</summary>
    /// <returns><see langword="false"/> at the end of the buffer or before an incomplete batch.</returns>
    /// <exception cref="CorruptRecordException">The next batch has a batchLength below 49 or a magic other than 2.</exception>
    public bool MoveNext()
    {
        ReadOnlySpan<byte> rest = _buffer.Span[_position..];
        if (rest.Length < RecordBatchHeader.LogOverhead)
        {
            return false;
        }

        int batchLength = BinaryPrimitives.ReadInt32BigEndian(rest[RecordBatchHeader.BatchLengthOffset..]);
        if (batchLength < RecordBatchValidator.MinBatchLength || batchLength > int.MaxValue - RecordBatchHeader.LogOverhead)
        {
            throw RecordBatchValidator.CreateException(BatchValidationResult.BatchLengthTooSmall, rest, null, -1);
        }

        int total = batchLength + RecordBatchHeader.LogOverhead;
        if (total > rest.Length)
        {
            return false;
        }

        _current = new RecordBatch(_buffer.Slice(_position, total));
        _position += total;
        return true;
    }

    /// <summary>Not supported: call <see cref="RecordBatch.ReadAll"/> again to restart.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public readonly void Reset() => throw new NotSupportedException("Call RecordBatch.ReadAll again to restart.");

    /// <inheritdoc/>
    public readonly void Dispose()
    {
    }

    /// <inheritdoc/>
    readonly IEnumerator<RecordBatch> IEnumerable<RecordBatch>.GetEnumerator() => this;

    /// <inheritdoc/>
    readonly IEnumerator IEnumerable.GetEnumerator() => this;

    private static bool HasWholeBatchAt(ReadOnlySpan<byte> rest)
        => rest.Length >= RecordBatchHeader.LogOverhead
           && (long)BinaryPrimitives.ReadInt32BigEndian(rest[RecordBatchHeader.BatchLengthOffset..]) + RecordBatchHeader.LogOverhead <= rest.Length;
}

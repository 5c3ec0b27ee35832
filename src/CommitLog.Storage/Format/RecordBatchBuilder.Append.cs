using System.Buffers;

namespace CommitLog.Storage;

/// <content>Appending records and producing the encoded batch.</content>
public sealed partial class RecordBatchBuilder
{
    /// <summary>Appends a record at the next offset (offsetDelta = the previous record's + 1, starting at 0).</summary>
    /// <param name="timestamp">The record timestamp in Unix milliseconds; may be earlier than previous ones.</param>
    /// <param name="key">The key; <see langword="null"/> writes a null key (length -1), distinct from an empty key.</param>
    /// <param name="value">The value; <see langword="null"/> writes a null value (a tombstone), distinct from empty.</param>
    /// <param name="headers">The headers, in order; keys must not be null.</param>
    /// <exception cref="ArgumentException">A header key is null.</exception>
    /// <exception cref="InvalidOperationException">The batch would exceed the largest array size, or holds int.MaxValue records.</exception>
    /// <exception cref="ObjectDisposedException">The builder was disposed.</exception>
    public void Append(long timestamp, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, ReadOnlySpan<RecordHeader> headers = default)
    {
        if (_lastOffsetDelta == int.MaxValue)
        {
            throw new InvalidOperationException($"A batch can span at most {int.MaxValue} offsets; build this one and start another.");
        }

        AppendCore(_lastOffsetDelta + 1, timestamp, key, value, headers);
    }

    /// <summary>
    /// Appends a record at the next offset. A <see langword="null"/> array writes a null key or value (length -1);
    /// this overload exists because a null array would otherwise convert to an empty memory, not a null one.
    /// </summary>
    /// <param name="timestamp">The record timestamp in Unix milliseconds.</param>
    /// <param name="key">The key, or <see langword="null"/>.</param>
    /// <param name="value">The value, or <see langword="null"/> (a tombstone).</param>
    /// <param name="headers">The headers, in order; keys must not be null.</param>
    /// <exception cref="ArgumentException">A header key is null.</exception>
    /// <exception cref="InvalidOperationException">The batch is full (see the other overload).</exception>
    /// <exception cref="ObjectDisposedException">The builder was disposed.</exception>
    public void Append(long timestamp, byte[]? key, byte[]? value, ReadOnlySpan<RecordHeader> headers = default)
        => Append(timestamp, AsNullable(key), AsNullable(value), headers);

    /// <summary>
    /// Appends a record at an explicit <paramref name="offset"/>, leaving gaps as compaction does. Offsets must
    /// increase and lie within int.MaxValue of <see cref="BaseOffset"/>.
    /// </summary>
    /// <param name="offset">The absolute offset of the record.</param>
    /// <param name="timestamp">The record timestamp in Unix milliseconds.</param>
    /// <param name="key">The key, or <see langword="null"/>.</param>
    /// <param name="value">The value, or <see langword="null"/>.</param>
    /// <param name="headers">The headers, in order.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is not after the previous record's offset,
    /// before <see cref="BaseOffset"/>, or more than int.MaxValue past it.</exception>
    /// <exception cref="ArgumentException">A header key is null.</exception>
    /// <exception cref="ObjectDisposedException">The builder was disposed.</exception>
    public void AppendWithOffset(
        long offset, long timestamp, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, ReadOnlySpan<RecordHeader> headers = default)
    {
        long delta = offset - BaseOffset;
        if (offset < BaseOffset || delta > int.MaxValue || delta <= _lastOffsetDelta)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset,
                $"The offset must be greater than {BaseOffset + _lastOffsetDelta} (the previous record's or BaseOffset - 1) "
                + $"and at most {BaseOffset + (long)int.MaxValue} (BaseOffset + int.MaxValue).");
        }

        AppendCore((int)delta, timestamp, key, value, headers);
    }

    /// <summary>
    /// Encodes the batch and returns it. The memory belongs to the builder: it is valid until the next
    /// <see cref="Append(long, ReadOnlyMemory{byte}?, ReadOnlyMemory{byte}?, ReadOnlySpan{RecordHeader})"/>, <see cref="Reset"/>, <see cref="Build"/> or <see cref="Dispose"/>, and the caller may
    /// write into it (the log stamps baseOffset and partitionLeaderEpoch there).
    /// </summary>
    /// <returns>The whole encoded batch.</returns>
    /// <exception cref="InvalidOperationException">No record was appended.</exception>
    /// <exception cref="ObjectDisposedException">The builder was disposed.</exception>
    public Memory<byte> Build()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_count == 0)
        {
            throw new InvalidOperationException("The batch holds no records; append at least one before building it.");
        }

        Memory<byte> batch;
        ICompressionCodec? codec = CompressionCodecs.Get(_compression);
        if (codec is null)
        {
            batch = _records.WrittenMemory;
        }
        else
        {
            _compressed.ResetAndReserve(RecordBatchHeader.Size);
            codec.Compress(_records.WrittenSpan[RecordBatchHeader.Size..], _compressed);
            batch = _compressed.WrittenMemory;
        }

        WriteHeader(batch.Span);
        return batch;
    }

    /// <summary>Encodes the batch and copies it into <paramref name="output"/>.</summary>
    /// <param name="output">The destination.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="InvalidOperationException">No record was appended.</exception>
    /// <exception cref="ObjectDisposedException">The builder was disposed.</exception>
    public int WriteTo(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Memory<byte> batch = Build();
        output.Write(batch.Span);
        return batch.Length;
    }

    /// <summary>Encodes the batch into a new array.</summary>
    /// <returns>The encoded batch.</returns>
    /// <exception cref="InvalidOperationException">No record was appended.</exception>
    public byte[] ToArray() => Build().ToArray();

    private static ReadOnlyMemory<byte>? AsNullable(byte[]? bytes) => bytes is null ? default(ReadOnlyMemory<byte>?) : new ReadOnlyMemory<byte>(bytes);

    private void AppendCore(int offsetDelta, long timestamp, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, ReadOnlySpan<RecordHeader> headers)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long baseTimestamp = _baseTimestamp ?? timestamp;
        long timestampDelta = unchecked(timestamp - baseTimestamp);
        ReadOnlySpan<byte> keySpan = key.HasValue ? key.GetValueOrDefault().Span : default;
        ReadOnlySpan<byte> valueSpan = value.HasValue ? value.GetValueOrDefault().Span : default;

        long bodySize = 1 + Varint.SizeOfVarlong(timestampDelta) + Varint.SizeOfVarint(offsetDelta)
            + SizeOfBytes(keySpan, !key.HasValue) + (long)SizeOfBytes(valueSpan, !value.HasValue)
            + SizeOfHeaders(headers);
        if (bodySize > int.MaxValue - Varint.MaxVarintBytes)
        {
            throw new InvalidOperationException($"A record of {bodySize} bytes is larger than a batch can hold.");
        }

        int total = Varint.SizeOfVarint((int)bodySize) + (int)bodySize;
        Span<byte> span = _records.GetSpan(total);
        int pos = Varint.WriteVarint(span, (int)bodySize);
        span[pos++] = 0; // record attributes: unused in v2
        pos += Varint.WriteVarlong(span[pos..], timestampDelta);
        pos += Varint.WriteVarint(span[pos..], offsetDelta);
        pos += WriteBytes(span[pos..], keySpan, !key.HasValue);
        pos += WriteBytes(span[pos..], valueSpan, !value.HasValue);
        pos += WriteHeaders(span[pos..], headers);
        _records.Advance(pos);

        _baseTimestamp = baseTimestamp;
        _maxTimestamp = _count == 0 ? timestamp : Math.Max(_maxTimestamp, timestamp);
        _lastOffsetDelta = offsetDelta;
        _count++;
    }
}

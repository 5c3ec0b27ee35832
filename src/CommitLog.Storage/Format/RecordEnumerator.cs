using System.Collections;

namespace CommitLog.Storage;

/// <summary>
/// Enumerates the records of one batch, decoding each from the (decompressed) records section. Every length is
/// bounds-checked: damage throws <see cref="CorruptRecordException"/>, never an out-of-range access.
/// </summary>
/// <remarks>A mutable struct: use it once, through <c>foreach</c>. Not thread-safe.</remarks>
public struct RecordEnumerator : IEnumerator<Record>, IEnumerable<Record>
{
    private readonly ReadOnlyMemory<byte> _records;
    private readonly long _baseOffset;
    private readonly long _baseTimestamp;
    private readonly long? _logAppendTime;
    private readonly int _count;
    private int _index;
    private int _position;
    private Record _current;

    internal RecordEnumerator(ReadOnlyMemory<byte> records, RecordBatchHeader header)
    {
        _records = records;
        _baseOffset = header.BaseOffset;
        _baseTimestamp = header.BaseTimestamp;
        _logAppendTime = header.TimestampType == TimestampType.LogAppendTime ? header.MaxTimestamp : null;
        _count = header.RecordsCount;
        _index = 0;
        _position = 0;
        _current = default;
    }

    /// <summary>Gets the record at the current position.</summary>
    public readonly Record Current => _current;

    /// <inheritdoc/>
    readonly object IEnumerator.Current => _current;

    /// <summary>Returns this enumerator, so it can be used in <c>foreach</c>.</summary>
    public readonly RecordEnumerator GetEnumerator() => this;

    /// <summary>Decodes the next record.</summary>
    /// <returns><see langword="true"/> if a record was decoded; <see langword="false"/> after the last one.</returns>
    /// <exception cref="CorruptRecordException">A record is malformed, or the section has too few or too many bytes
    /// for the declared recordsCount.</exception>
    public bool MoveNext()
    {
        ReadOnlySpan<byte> span = _records.Span;
        if (_index >= _count)
        {
            if (_position != span.Length && _index == _count)
            {
                _index++;
                throw FormatErrors.TrailingBytes(_count, span.Length - _position);
            }

            return false;
        }

        if (_position >= span.Length)
        {
            throw FormatErrors.MissingRecords(_count, _index);
        }

        int start = _position;
        int pos = start;
        int length = Varint.ReadVarint(span, ref pos);
        if (length < 0 || length > span.Length - pos)
        {
            throw FormatErrors.RecordField("length", length, $"allowed is 0 to {span.Length - pos} (the bytes left)", _index, start);
        }

        int end = pos + length;
        ReadOnlySpan<byte> body = span[..end];
        pos++; // attributes: int8, unused in v2
        if (pos > end)
        {
            throw FormatErrors.RecordSizeMismatch(_index, length, pos - (end - length));
        }

        long timestampDelta = Varint.ReadVarlong(body, ref pos);
        int offsetDelta = Varint.ReadVarint(body, ref pos);
        ReadOnlyMemory<byte>? key = ReadBytes(body, ref pos, "keyLength", start);
        ReadOnlyMemory<byte>? value = ReadBytes(body, ref pos, "valueLength", start);
        int headerCount = Varint.ReadVarint(body, ref pos);

        // Each header takes at least 2 bytes, so a forged count cannot make us allocate more than the record's size.
        if (headerCount < 0 || headerCount > (end - pos) / 2)
        {
            throw FormatErrors.RecordField("headerCount", headerCount, $"allowed is 0 to {(end - pos) / 2} for the bytes left", _index, start);
        }

        RecordHeader[]? headers = headerCount == 0 ? null : new RecordHeader[headerCount];
        for (int i = 0; i < headerCount; i++)
        {
            int keyLength = Varint.ReadVarint(body, ref pos);
            if (keyLength < 0 || keyLength > end - pos)
            {
                throw FormatErrors.RecordField("header keyLength", keyLength, $"allowed is 0 to {end - pos}", _index, start);
            }

            string headerKey = System.Text.Encoding.UTF8.GetString(body.Slice(pos, keyLength));
            pos += keyLength;
            headers![i] = new RecordHeader(headerKey, ReadBytes(body, ref pos, "header valueLength", start));
        }

        if (pos != end)
        {
            throw FormatErrors.RecordSizeMismatch(_index, length, pos - (end - length));
        }

        long timestamp = _logAppendTime ?? unchecked(_baseTimestamp + timestampDelta);
        _current = new Record(unchecked(_baseOffset + offsetDelta), timestamp, key, value, headers);
        _position = end;
        _index++;
        return true;
    }

    /// <summary>Not supported: enumerate the batch again with <see cref="RecordBatch.GetRecords"/>.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public readonly void Reset() => throw new NotSupportedException("Call RecordBatch.GetRecords again to restart.");

    /// <inheritdoc/>
    public readonly void Dispose()
    {
    }

    /// <inheritdoc/>
    readonly IEnumerator<Record> IEnumerable<Record>.GetEnumerator() => this;

    /// <inheritdoc/>
    readonly IEnumerator IEnumerable.GetEnumerator() => this;

    private readonly ReadOnlyMemory<byte>? ReadBytes(ReadOnlySpan<byte> body, ref int pos, string field, int start)
    {
        int length = Varint.ReadVarint(body, ref pos);
        if (length == -1)
        {
            return null;
        }

        if (length < -1 || length > body.Length - pos)
        {
            throw FormatErrors.RecordField(field, length, $"allowed is -1 (null) or 0 to {body.Length - pos} (the bytes left in the record)", _index, start);
        }

        ReadOnlyMemory<byte> slice = _records.Slice(pos, length);
        pos += length;
        return slice;
    }
}

namespace CommitLog.Storage;

/// <summary>
/// Walks the raw records of a batch's (uncompressed) records section, exposing what the cleaner needs: where each
/// record's bytes are, its offset delta, its key and whether its value is null (a tombstone).
/// </summary>
internal ref struct KeyedRecordReader
{
    private readonly ReadOnlySpan<byte> _section;
    private readonly int _count;
    private int _position;
    private int _index;

    public KeyedRecordReader(ReadOnlySpan<byte> section, int count)
    {
        _section = section;
        _count = count;
    }

    /// <summary>Gets the byte range of the current record (length prefix included) in the section.</summary>
    public Range Bytes { get; private set; }

    public int OffsetDelta { get; private set; }

    public ReadOnlySpan<byte> Key { get; private set; }

    public bool HasKey { get; private set; }

    public bool IsTombstone { get; private set; }

    /// <summary>Decodes the next record; false after the last one.</summary>
    /// <exception cref="CorruptRecordException">A record is malformed.</exception>
    public bool MoveNext()
    {
        if (_index >= _count)
        {
            return false;
        }

        try
        {
            var start = _position;
            var pos = start;
            var length = Varint.ReadVarint(_section, ref pos);
            if (length <= 0 || length > _section.Length - pos)
            {
                throw Damaged($"its length {length} does not fit the {_section.Length - pos} bytes left");
            }

            var end = pos + length;
            var body = _section[..end];
            pos++; // attributes
            Varint.ReadVarlong(body, ref pos);
            OffsetDelta = Varint.ReadVarint(body, ref pos);
            var keyLength = Varint.ReadVarint(body, ref pos);
            HasKey = keyLength >= 0;
            if (keyLength < -1 || keyLength > end - pos)
            {
                throw Damaged($"its key length {keyLength} is out of range");
            }

            Key = HasKey ? body.Slice(pos, keyLength) : default;
            pos += Math.Max(keyLength, 0);
            IsTombstone = Varint.ReadVarint(body, ref pos) == -1;
            Bytes = start..end;
            _position = end;
            _index++;
            return true;
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException or OverflowException)
        {
            throw Damaged(e.Message);
        }
    }

    private readonly CorruptRecordException Damaged(string reason)
        => new($"Record {_index} of a stored batch is malformed: {reason}.");
}

using System.Buffers.Binary;
using System.Text;

namespace CommitLog.Replication.Protocol;

/// <summary>Reads big-endian fields from a message, checking every length against the bytes left before it allocates.</summary>
internal ref struct ProtocolReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly ReadOnlyMemory<byte> _source;
    private readonly bool _hasSource;
    private int _position;

    /// <summary>Reads <paramref name="data"/>; record bytes are copied out (<see cref="ReadRecords"/>).</summary>
    public ProtocolReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    /// <summary>Reads <paramref name="data"/>; record bytes are slices of it, not copies (<see cref="ReadRecords"/>).</summary>
    public ProtocolReader(ReadOnlyMemory<byte> data)
    {
        _data = data.Span;
        _source = data;
        _hasSource = true;
        _position = 0;
    }

    public readonly int Remaining => _data.Length - _position;

    public byte ReadByte() => Take(1, "a byte")[0];

    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2, "an int16"));

    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4, "an int32"));

    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8, "an int64"));

    /// <summary>Reads an int16-length UTF-8 string of at most <paramref name="maxBytes"/> bytes.</summary>
    public string ReadString(int maxBytes, string field)
    {
        int length = ReadInt16();
        if (length < 0 || length > maxBytes)
        {
            throw new ProtocolFormatException($"The {field} length {length} is out of range: allowed 0 to {maxBytes} bytes.");
        }

        var bytes = Take(length, field);
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new ProtocolFormatException($"The {field} is not valid UTF-8.", e);
        }
    }

    /// <summary>Reads an int16-length UTF-8 string of at most <paramref name="maxBytes"/> bytes, or <see langword="null"/> for length -1.</summary>
    public string? ReadNullableString(int maxBytes, string field)
    {
        var probe = this;
        if (probe.ReadInt16() == -1)
        {
            _position += 2;
            return null;
        }

        return ReadString(maxBytes, field);
    }

    /// <summary>Reads an int32 element count, at most <paramref name="max"/> and at most what the remaining bytes can hold.</summary>
    public int ReadCount(int max, int minElementBytes, string field)
    {
        var count = ReadInt32();
        if (count < 0 || count > max)
        {
            throw new ProtocolFormatException($"The {field} count {count} is out of range: allowed 0 to {max}.");
        }

        if ((long)count * minElementBytes > Remaining)
        {
            throw new ProtocolFormatException(
                $"The {field} count {count} needs at least {(long)count * minElementBytes} bytes but only {Remaining} remain: the message is truncated.");
        }

        return count;
    }

    /// <summary>Reads int32-length bytes (at most <paramref name="maxBytes"/>) into a new array.</summary>
    public byte[] ReadBytes(int maxBytes, string field) => TakeLengthPrefixed(maxBytes, field).ToArray();

    /// <summary>
    /// Reads int32-length record bytes (at most <paramref name="maxBytes"/>): a slice of the message when the reader was
    /// made over memory (the caller owns the message bytes and keeps them for as long as it keeps the records), else a copy.
    /// </summary>
    public ReadOnlyMemory<byte> ReadRecords(int maxBytes, string field)
    {
        var bytes = TakeLengthPrefixed(maxBytes, field);
        return _hasSource ? _source.Slice(_position - bytes.Length, bytes.Length) : bytes.ToArray();
    }

    public readonly void ExpectEnd(string message)
    {
        if (Remaining != 0)
        {
            throw new ProtocolFormatException($"The {message} has {Remaining} unexpected trailing bytes.");
        }
    }

    private ReadOnlySpan<byte> TakeLengthPrefixed(int maxBytes, string field)
    {
        var length = ReadInt32();
        if (length < 0 || length > maxBytes)
        {
            throw new ProtocolFormatException($"The {field} length {length} is out of range: allowed 0 to {maxBytes} bytes.");
        }

        return Take(length, field);
    }

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count > Remaining)
        {
            throw new ProtocolFormatException($"The message is truncated: {field} needs {count} bytes but only {Remaining} remain.");
        }

        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }
}

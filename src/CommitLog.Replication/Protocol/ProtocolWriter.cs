using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace CommitLog.Replication.Protocol;

/// <summary>Writes big-endian fields of a message to a buffer writer.</summary>
internal readonly struct ProtocolWriter(IBufferWriter<byte> output)
{
    public void WriteByte(byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    public void WriteInt16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(output.GetSpan(2), value);
        output.Advance(2);
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(output.GetSpan(8), value);
        output.Advance(8);
    }

    public void WriteString(string value, int maxBytes)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        if (length > maxBytes)
        {
            throw new ArgumentException($"The string '{value}' (a topic, group or member name) is {length} UTF-8 bytes; at most {maxBytes} are allowed.", nameof(value));
        }

        WriteInt16((short)length);
        Encoding.UTF8.GetBytes(value, output.GetSpan(length));
        output.Advance(length);
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteInt32(value.Length);
        value.CopyTo(output.GetSpan(value.Length));
        output.Advance(value.Length);
    }

    /// <summary>Writes an int16-length UTF-8 string, or length -1 for <see langword="null"/>.</summary>
    public void WriteNullableString(string? value, int maxBytes)
    {
        if (value is null)
        {
            WriteInt16(-1);
            return;
        }

        WriteString(value, maxBytes);
    }
}

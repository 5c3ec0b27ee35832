using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace CommitLog.Replication.Control;

/// <summary>Writes the big-endian fields of a <see cref="MetadataCommand"/>.</summary>
internal ref struct MetadataWriter
{
    private readonly IBufferWriter<byte> _writer;

    public MetadataWriter(IBufferWriter<byte> writer) => _writer = writer;

    public readonly void WriteByte(byte value)
    {
        _writer.GetSpan(1)[0] = value;
        _writer.Advance(1);
    }

    public readonly void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public readonly void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_writer.GetSpan(4), value);
        _writer.Advance(4);
    }

    public readonly void WriteString(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        if (length > MetadataReader.MaxStringBytes)
        {
            throw new ArgumentException(
                $"A metadata string is {length} bytes in UTF-8; the most allowed is {MetadataReader.MaxStringBytes}.", nameof(value));
        }

        WriteInt32(length);
        Encoding.UTF8.GetBytes(value, _writer.GetSpan(length));
        _writer.Advance(length);
    }

    public readonly void WriteIds(IReadOnlyList<int> ids)
    {
        WriteInt32(ids.Count);
        foreach (var id in ids)
        {
            WriteInt32(id);
        }
    }
}

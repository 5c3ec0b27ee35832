using System.Buffers.Binary;
using System.Text;

namespace CommitLog.Replication.Control;

/// <summary>Reads the fields of a <see cref="MetadataCommand"/>; every length is checked against the bytes left before anything is allocated.</summary>
internal ref struct MetadataReader
{
    public const int MaxStringBytes = 4096;

    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public MetadataReader(ReadOnlySpan<byte> data) => _data = data;

    public byte ReadByte() => Take(1)[0];

    public bool ReadBool() => ReadByte() switch
    {
        0 => false,
        1 => true,
        var other => throw new FormatException($"A metadata flag holds {other}; only 0 and 1 are allowed."),
    };

    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public string ReadString()
    {
        var length = ReadInt32();
        if (length < 0 || length > MaxStringBytes)
        {
            throw new FormatException($"A metadata string claims {length} bytes; allowed are 0 to {MaxStringBytes}.");
        }

        return Encoding.UTF8.GetString(Take(length));
    }

    public int[] ReadIds()
    {
        var count = ReadInt32();
        if (count < 0 || count > (_data.Length - _position) / 4)
        {
            throw new FormatException($"A metadata id list claims {count} entries but only {_data.Length - _position} bytes remain.");
        }

        var ids = new int[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = ReadInt32();
        }

        return ids;
    }

    public readonly void EnsureEnd()
    {
        if (_position != _data.Length)
        {
            throw new FormatException($"A metadata command has {_data.Length - _position} unexpected trailing bytes.");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (_data.Length - _position < count)
        {
            throw new FormatException($"A metadata command is truncated: {count} more bytes needed at position {_position}, {_data.Length - _position} left.");
        }

        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }
}

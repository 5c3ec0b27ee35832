using System.Buffers.Binary;

namespace CommitLog.CrashChild;

/// <summary>
/// The record values the crash child writes: a 16-byte head (magic, writer id, sequence number) and a payload whose
/// length and bytes follow from (writer, sequence), so a reader can tell a record apart from any damaged or foreign
/// bytes. Shared as source with the integration tests, which decode what the child wrote.
/// </summary>
internal static class CrashRecord
{
    /// <summary>The first four bytes of every value.</summary>
    public const uint Magic = 0xC4A5_4C06;

    /// <summary>The size of the head before the payload.</summary>
    public const int HeadSize = 16;

    /// <summary>The largest payload.</summary>
    public const int MaxPayload = 200;

    /// <summary>Encodes the value of record <paramref name="seq"/> of writer <paramref name="writer"/>.</summary>
    public static byte[] Encode(int writer, long seq)
    {
        var value = new byte[HeadSize + PayloadLength(writer, seq)];
        BinaryPrimitives.WriteUInt32BigEndian(value, Magic);
        BinaryPrimitives.WriteInt32BigEndian(value.AsSpan(4), writer);
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(8), seq);
        for (var i = HeadSize; i < value.Length; i++)
        {
            value[i] = PayloadByte(writer, seq, i);
        }

        return value;
    }

    /// <summary>Decodes a value; false if it is not exactly what <see cref="Encode"/> writes for the writer and sequence it names.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> value, out int writer, out long seq)
    {
        writer = -1;
        seq = -1;
        if (value.Length < HeadSize || BinaryPrimitives.ReadUInt32BigEndian(value) != Magic)
        {
            return false;
        }

        writer = BinaryPrimitives.ReadInt32BigEndian(value[4..]);
        seq = BinaryPrimitives.ReadInt64BigEndian(value[8..]);
        if (writer < 0 || seq < 0 || value.Length != HeadSize + PayloadLength(writer, seq))
        {
            return false;
        }

        for (var i = HeadSize; i < value.Length; i++)
        {
            if (value[i] != PayloadByte(writer, seq, i))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Packs (writer, sequence) into one key: writer in the top 24 bits, sequence in the low 40.</summary>
    public static long Key(int writer, long seq) => ((long)writer << 40) | seq;

    private static int PayloadLength(int writer, long seq) => (int)(Mix(writer, seq) % (MaxPayload + 1));

    private static byte PayloadByte(int writer, long seq, int index) => (byte)((Mix(writer, seq) >> 16) + (ulong)(index * 7));

    private static ulong Mix(int writer, long seq)
    {
        var x = ((ulong)(uint)writer * 0x9E37_79B9_7F4A_7C15UL) ^ ((ulong)seq * 0xC2B2_AE3D_27D4_EB4FUL);
        x ^= x >> 31;
        x *= 0x94D0_49BB_1331_11EBUL;
        return x ^ (x >> 29);
    }
}

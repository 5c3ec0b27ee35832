namespace CommitLog.Storage;

/// <summary>
/// Zigzag LEB128 variable-length integers, as RecordBatch v2 records use them (protobuf <c>sint32</c>/<c>sint64</c>):
/// the value is zigzag-mapped (0, -1, 1, -2 ... to 0, 1, 2, 3 ...) and written 7 bits per byte, least significant
/// group first, with the high bit set on every byte but the last. A varint takes at most 5 bytes, a varlong 10.
/// </summary>
/// <remarks>Readers are bounds-checked: a truncated or over-long value throws <see cref="CorruptRecordException"/>.</remarks>
internal static class Varint
{
    /// <summary>The largest encoded size of a varint (int32).</summary>
    public const int MaxVarintBytes = 5;

    /// <summary>The largest encoded size of a varlong (int64).</summary>
    public const int MaxVarlongBytes = 10;

    /// <summary>Returns how many bytes <paramref name="value"/> takes as a varint.</summary>
    public static int SizeOfVarint(int value) => SizeOfUnsigned((uint)((value << 1) ^ (value >> 31)));

    /// <summary>Returns how many bytes <paramref name="value"/> takes as a varlong.</summary>
    public static int SizeOfVarlong(long value) => SizeOfUnsigned((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>Writes <paramref name="value"/> as a varint and returns the number of bytes written.</summary>
    /// <remarks>The caller sizes <paramref name="destination"/> with <see cref="SizeOfVarint"/> (or 5 bytes).</remarks>
    public static int WriteVarint(Span<byte> destination, int value) => WriteUnsigned(destination, (uint)((value << 1) ^ (value >> 31)));

    /// <summary>Writes <paramref name="value"/> as a varlong and returns the number of bytes written.</summary>
    /// <remarks>The caller sizes <paramref name="destination"/> with <see cref="SizeOfVarlong"/> (or 10 bytes).</remarks>
    public static int WriteVarlong(Span<byte> destination, long value) => WriteUnsigned(destination, (ulong)((value << 1) ^ (value >> 63)));

    /// <summary>Reads a varint at <paramref name="position"/> and advances it past the value.</summary>
    /// <exception cref="CorruptRecordException">The value is truncated or longer than 5 bytes.</exception>
    public static int ReadVarint(ReadOnlySpan<byte> source, ref int position)
    {
        uint raw = 0;
        int pos = position;
        for (int shift = 0; ; shift += 7)
        {
            if ((uint)pos >= (uint)source.Length)
            {
                throw FormatErrors.TruncatedVarint("varint", position, source.Length);
            }

            byte b = source[pos++];
            raw |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }

            if (shift >= 28)
            {
                throw FormatErrors.VarintTooLong("varint", MaxVarintBytes, position);
            }
        }

        position = pos;
        return (int)(raw >> 1) ^ -(int)(raw & 1);
    }

    /// <summary>Reads a varlong at <paramref name="position"/> and advances it past the value.</summary>
    /// <exception cref="CorruptRecordException">The value is truncated or longer than 10 bytes.</exception>
    public static long ReadVarlong(ReadOnlySpan<byte> source, ref int position)
    {
        ulong raw = 0;
        int pos = position;
        for (int shift = 0; ; shift += 7)
        {
            if ((uint)pos >= (uint)source.Length)
            {
                throw FormatErrors.TruncatedVarint("varlong", position, source.Length);
            }

            byte b = source[pos++];
            raw |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }

            if (shift >= 63)
            {
                throw FormatErrors.VarintTooLong("varlong", MaxVarlongBytes, position);
            }
        }

        position = pos;
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    private static int SizeOfUnsigned(ulong value)
    {
        // 1 byte per started group of 7 bits; 0 still takes one byte.
        int bits = 64 - System.Numerics.BitOperations.LeadingZeroCount(value | 1);
        return (bits + 6) / 7;
    }

    private static int WriteUnsigned(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }
}

using FsCheck;
using FsCheck.Xunit;

namespace CommitLog.Storage.Tests.Format;

public class VarintTests
{
    public static TheoryData<int, byte[]> VarintVectors => new()
    {
        { 0, [0x00] },
        { -1, [0x01] },
        { 1, [0x02] },
        { 63, [0x7E] },
        { -64, [0x7F] },
        { 64, [0x80, 0x01] },
        { 300, [0xD8, 0x04] },
        { -8193, [0x81, 0x80, 0x01] },
        { int.MaxValue, [0xFE, 0xFF, 0xFF, 0xFF, 0x0F] },
        { int.MinValue, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F] },
    };

    public static TheoryData<long, byte[]> VarlongVectors => new()
    {
        { 0L, [0x00] },
        { -1L, [0x01] },
        { 150L, [0xAC, 0x02] },
        { 1700000000000L, [0x80, 0xA0, 0xAB, 0xFE, 0xF9, 0x62] },
        { long.MaxValue, [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01] },
        { long.MinValue, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01] },
    };

    [Theory]
    [MemberData(nameof(VarintVectors))]
    public void Varint_KnownValue_MatchesZigzagLeb128Bytes(int value, byte[] expected)
    {
        var buffer = new byte[Varint.MaxVarintBytes];
        int n = Varint.WriteVarint(buffer, value);

        Assert.Equal(expected, buffer[..n]);
        Assert.Equal(expected.Length, Varint.SizeOfVarint(value));
        int pos = 0;
        Assert.Equal(value, Varint.ReadVarint(expected, ref pos));
        Assert.Equal(expected.Length, pos);
    }

    [Theory]
    [MemberData(nameof(VarlongVectors))]
    public void Varlong_KnownValue_MatchesZigzagLeb128Bytes(long value, byte[] expected)
    {
        var buffer = new byte[Varint.MaxVarlongBytes];
        int n = Varint.WriteVarlong(buffer, value);

        Assert.Equal(expected, buffer[..n]);
        Assert.Equal(expected.Length, Varint.SizeOfVarlong(value));
        int pos = 0;
        Assert.Equal(value, Varint.ReadVarlong(expected, ref pos));
        Assert.Equal(expected.Length, pos);
    }

    [Property(MaxTest = 500)]
    public bool Varint_AnyInt_RoundTrips(int value)
    {
        var buffer = new byte[Varint.MaxVarintBytes + 1];
        int n = Varint.WriteVarint(buffer.AsSpan(1), value);
        int pos = 1;
        return Varint.ReadVarint(buffer, ref pos) == value && pos == n + 1 && n == Varint.SizeOfVarint(value);
    }

    [Property(MaxTest = 500)]
    public bool Varlong_AnyLong_RoundTrips(int high, int low)
    {
        long value = ((long)high << 32) | (uint)low;
        var buffer = new byte[Varint.MaxVarlongBytes];
        int n = Varint.WriteVarlong(buffer, value);
        int pos = 0;
        return Varint.ReadVarlong(buffer, ref pos) == value && pos == n && n == Varint.SizeOfVarlong(value);
    }

    [Fact]
    public void ReadVarint_TruncatedInput_ThrowsCorruptRecord()
    {
        byte[] truncated = [0xD8];
        int pos = 0;

        var e = Assert.Throws<CorruptRecordException>(() => Varint.ReadVarint(truncated, ref pos));
        Assert.Contains("Truncated varint", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, pos);
    }

    [Fact]
    public void ReadVarint_EmptyInput_ThrowsCorruptRecord()
    {
        int pos = 0;
        Assert.Throws<CorruptRecordException>(() => Varint.ReadVarint(ReadOnlySpan<byte>.Empty, ref pos));
    }

    [Fact]
    public void ReadVarint_SixBytesWithContinuation_ThrowsCorruptRecord()
    {
        byte[] tooLong = [0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
        int pos = 0;

        var e = Assert.Throws<CorruptRecordException>(() => Varint.ReadVarint(tooLong, ref pos));
        Assert.Contains("5 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadVarlong_ElevenBytesWithContinuation_ThrowsCorruptRecord()
    {
        byte[] tooLong = [.. Enumerable.Repeat((byte)0xFF, 10), 0x01];
        int pos = 0;

        Assert.Throws<CorruptRecordException>(() => Varint.ReadVarlong(tooLong, ref pos));
    }

    [Property(MaxTest = 300)]
    public bool ReadVarint_Garbage_ReturnsOrThrowsCorruptRecordOnly(byte[] garbage)
    {
        garbage ??= [];
        int pos = 0;
        try
        {
            while (pos < garbage.Length)
            {
                Varint.ReadVarint(garbage, ref pos);
                Varint.ReadVarlong(garbage, ref pos);
            }

            return true;
        }
        catch (CorruptRecordException)
        {
            return pos <= garbage.Length;
        }
    }
}

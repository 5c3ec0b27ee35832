using System.Buffers.Binary;

namespace CommitLog;

/// <summary>The key hashes of the built-in partitioners, bit-compatible with Kafka's Java client and librdkafka.</summary>
internal static class KeyHash
{
    private const uint Murmur2Seed = 0x9747b28c;
    private const uint Murmur2M = 0x5bd1e995;
    private const int Murmur2R = 24;
    private const uint Fnv1aOffset = 0x811C9DC5;
    private const uint Fnv1aPrime = 0x01000193;

    /// <summary>Kafka's murmur2 (Java <c>Utils.murmur2</c>): 32-bit MurmurHash2 over little-endian words.</summary>
    public static int Murmur2(ReadOnlySpan<byte> data)
    {
        int length = data.Length;
        uint h = Murmur2Seed ^ (uint)length;
        int words = length & ~3;
        for (int i = 0; i < words; i += 4)
        {
            uint k = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i, 4));
            k *= Murmur2M;
            k ^= k >> Murmur2R;
            k *= Murmur2M;
            h *= Murmur2M;
            h ^= k;
        }

        switch (length & 3)
        {
            case 3:
                h ^= (uint)data[words + 2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)data[words + 1] << 8;
                goto case 1;
            case 1:
                h ^= data[words];
                h *= Murmur2M;
                break;
        }

        h ^= h >> 13;
        h *= Murmur2M;
        h ^= h >> 15;
        return (int)h;
    }

    /// <summary>librdkafka's <c>rd_fnv1a</c>: 32-bit FNV-1a, then the absolute value of the result as a signed number (Sarama's
    /// variant).</summary>
    public static uint Fnv1a(ReadOnlySpan<byte> data)
    {
        uint h = Fnv1aOffset;
        foreach (byte b in data)
        {
            h ^= b;
            h *= Fnv1aPrime;
        }

        int signed = (int)h;

        // -int.MinValue wraps to itself, as the C code's negation does.
        return signed < 0 ? (uint)unchecked(-signed) : (uint)signed;
    }

    /// <summary>CRC-32 (IEEE 802.3, zlib's), librdkafka's <c>rd_crc32</c>.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data) => System.IO.Hashing.Crc32.HashToUInt32(data);

    /// <summary>Java's <c>Utils.toPositive(murmur2(key)) % partitions</c>.</summary>
    public static int Murmur2Partition(ReadOnlySpan<byte> key, int partitionCount) => (Murmur2(key) & 0x7fffffff) % partitionCount;
}

using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CommitLog.Tests.Partitioning;

public class KeyHashTests
{
    // KAFKA-FORMAT.md §3 (Kafka's Java Utils.murmur2), as signed int32.
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Murmur2_KafkaVectors_Match(string key, int expected) =>
        Assert.Equal(expected, KeyHash.Murmur2(Encoding.UTF8.GetBytes(key)));

    // librdkafka's rdmurmur2.c unit test: Java's toPositive(murmur2(key)), the value the partitioner takes modulo n.
    [Theory]
    [InlineData("kafka", 1348980580)]
    [InlineData("amqp", 767747138)]
    [InlineData("giberish123456789", 257239820)]
    public void Murmur2_LibrdkafkaPositiveVectors_Match(string key, int expected) =>
        Assert.Equal(expected, KeyHash.Murmur2(Encoding.UTF8.GetBytes(key)) & 0x7fffffff);

    // librdkafka's rdfnv1a.c unit test (results of Go's hash/fnv with Sarama's absolute value).
    [Theory]
    [InlineData("kafka", 0xd33c4e1)]
    [InlineData("giberish123456789", 0x77a58295)]
    [InlineData("1234", 0x23bdd03)]
    [InlineData("234", 0x2dea3cd2)]
    [InlineData("34", 0x740fa83e)]
    [InlineData("4", 0x310ca263)]
    [InlineData("PreAmbleWillBeRemoved,ThePrePartThatIs", 0x65cbd69c)]
    [InlineData("reAmbleWillBeRemoved,ThePrePartThatIs", 0x6e49c79a)]
    [InlineData("eAmbleWillBeRemoved,ThePrePartThatIs", 0x69eed356)]
    [InlineData("AmbleWillBeRemoved,ThePrePartThatIs", 0x6abcc023)]
    [InlineData("", 0x7ee3623b)]
    public void Fnv1a_LibrdkafkaVectors_Match(string key, long expected) =>
        Assert.Equal((uint)expected, KeyHash.Fnv1a(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public void Crc32_CheckValue_IsIeee() =>
        Assert.Equal(0xCBF43926u, KeyHash.Crc32("123456789"u8));

    [Fact]
    public void Crc32_EmptyKey_IsZero() => Assert.Equal(0u, KeyHash.Crc32([]));

    [Property(MaxTest = 500)]
    public Property Murmur2_AgreesWithBytewiseReference(byte[] key) =>
        (KeyHash.Murmur2(key) == ReferenceMurmur2(key)).ToProperty();

    [Property(MaxTest = 500)]
    public Property Fnv1a_ResultIsNonNegativeAsSignedExceptMinValue(byte[] key)
    {
        uint h = KeyHash.Fnv1a(key);
        return ((int)h >= 0 || h == 0x80000000u).ToProperty();
    }

    // A transcription of Kafka's Java murmur2 with Java int semantics (signed, >>> as unsigned shift), reading
    // words byte by byte; independent of the span/BinaryPrimitives implementation under test.
    private static int ReferenceMurmur2(byte[] data)
    {
        int length = data.Length;
        const int m = 0x5bd1e995;
        int h = unchecked((int)0x9747b28c) ^ length;
        int length4 = length / 4;
        for (int i = 0; i < length4; i++)
        {
            int i4 = i * 4;
            int k = (data[i4 + 0] & 0xff) + ((data[i4 + 1] & 0xff) << 8) + ((data[i4 + 2] & 0xff) << 16) + ((data[i4 + 3] & 0xff) << 24);
            k = unchecked(k * m);
            k ^= (int)((uint)k >> 24);
            k = unchecked(k * m);
            h = unchecked(h * m);
            h ^= k;
        }

        int rest = length % 4;
        if (rest == 3)
        {
            h ^= (data[(length & ~3) + 2] & 0xff) << 16;
        }

        if (rest >= 2)
        {
            h ^= (data[(length & ~3) + 1] & 0xff) << 8;
        }

        if (rest >= 1)
        {
            h ^= data[length & ~3] & 0xff;
            h = unchecked(h * m);
        }

        h ^= (int)((uint)h >> 13);
        h = unchecked(h * m);
        h ^= (int)((uint)h >> 15);
        return h;
    }
}

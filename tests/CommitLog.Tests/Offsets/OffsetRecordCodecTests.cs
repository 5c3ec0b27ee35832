using CommitLog.Groups;

namespace CommitLog.Tests.Offsets;

public class OffsetRecordCodecTests
{
    [Fact]
    public void EncodeKey_MatchesKafkasOffsetCommitKeyV1()
    {
        byte[] key = OffsetRecordCodec.EncodeKey("g", new TopicPartition("t", 258));

        Assert.Equal(new byte[] { 0, 1, 0, 1, (byte)'g', 0, 1, (byte)'t', 0, 0, 1, 2 }, key);
    }

    [Fact]
    public void EncodeValue_MatchesKafkasOffsetCommitValueV3()
    {
        byte[] value = OffsetRecordCodec.EncodeValue(new CommittedOffset(5, -1, null, 1));

        Assert.Equal(new byte[] { 0, 3, 0, 0, 0, 0, 0, 0, 0, 5, 255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, value);
    }

    [Fact]
    public void DecodeValue_V1WithExpireTimestamp_ReadsOffsetMetadataAndCommitTime()
    {
        // Version 1: offset, metadata, commit timestamp, expire timestamp (written by old Kafka brokers).
        byte[] value = [0, 1, 0, 0, 0, 0, 0, 0, 0, 42, 0, 2, (byte)'h', (byte)'i', 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 9];

        CommittedOffset decoded = OffsetRecordCodec.DecodeValue(value);

        Assert.Equal(new CommittedOffset(42, -1, "hi", 7), decoded);
    }

    [Fact]
    public void RoundTrip_KeyAndValue()
    {
        var committed = new CommittedOffset(long.MaxValue, 17, "meta", 1_700_000_000_123);
        Assert.True(OffsetRecordCodec.TryDecodeKey(OffsetRecordCodec.EncodeKey("grüppe", new("orders", 3)), out string group, out TopicPartition tp));
        Assert.Equal(("grüppe", new TopicPartition("orders", 3)), (group, tp));
        Assert.Equal(committed, OffsetRecordCodec.DecodeValue(OffsetRecordCodec.EncodeValue(committed)));
    }

    [Fact]
    public void TryDecodeKey_GroupMetadataKey_ReturnsFalse()
    {
        Assert.False(OffsetRecordCodec.TryDecodeKey([0, 2, 0, 1, (byte)'g'], out _, out _));
    }

    [Theory]
    [InlineData(new byte[] { 0, 9, 0, 0 })]
    [InlineData(new byte[] { 0, 1, 0, 5, (byte)'g' })]
    [InlineData(new byte[] { 0 })]
    public void TryDecodeKey_Malformed_ThrowsFormatException(byte[] key)
    {
        Assert.Throws<FormatException>(() => OffsetRecordCodec.TryDecodeKey(key, out _, out _));
    }

    [Fact]
    public void PartitionFor_MatchesJavaStringHashCode()
    {
        // Java: "my-consumer-group".hashCode() == 1513705513; "billing-service-consumers".hashCode() is negative.
        Assert.Equal(13, OffsetsTopic.PartitionFor("my-consumer-group", 50));
        Assert.Equal(5, OffsetsTopic.PartitionFor("billing-service-consumers", 50));
        Assert.Equal(0, OffsetsTopic.PartitionFor("anything", 1));
    }
}

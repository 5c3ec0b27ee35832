using CommitLog.Storage;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CommitLog.Tests.Broker;

public class TopicMetadataFileTests
{
    [Property(MaxTest = 200)]
    public Property EncodeDecode_AnyTopics_RoundTrips(NonEmptyString[] names, PositiveInt[] partitions, bool[] deleting)
    {
        var records = names.Select((n, i) => new TopicRecord(
                n.Get.Length > 200 ? n.Get[..200] : n.Get,
                Guid.NewGuid(),
                partitions.Length == 0 ? 1 : partitions[i % partitions.Length].Get,
                deleting.Length > 0 && deleting[i % deleting.Length],
                [new("retention.ms", (i * 1000).ToString(System.Globalization.CultureInfo.InvariantCulture)), new("cleanup.policy", "compact")]))
            .ToList();

        var decoded = TopicMetadataFile.Decode(TopicMetadataFile.Encode(records), "test");

        return (decoded.Count == records.Count && decoded.Zip(records).All(p =>
            p.First.Name == p.Second.Name && p.First.Id == p.Second.Id && p.First.Partitions == p.Second.Partitions
            && p.First.Deleting == p.Second.Deleting && p.First.Config.SequenceEqual(p.Second.Config))).ToProperty();
    }

    [Fact]
    public void Decode_AnySingleBitFlip_IsRefused()
    {
        byte[] file = TopicMetadataFile.Encode([new TopicRecord("orders", Guid.NewGuid(), 3, false, [new("retention.ms", "1000")])]);
        for (int bit = 0; bit < file.Length * 8; bit++)
        {
            byte[] damaged = (byte[])file.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));

            Assert.Throws<CorruptRecordException>(() => TopicMetadataFile.Decode(damaged, "topics.meta"));
        }
    }

    [Fact]
    public void Decode_TruncatedOrEmpty_IsRefused()
    {
        byte[] file = TopicMetadataFile.Encode([new TopicRecord("orders", Guid.NewGuid(), 3, false, [])]);

        Assert.Throws<CorruptRecordException>(() => TopicMetadataFile.Decode([], "topics.meta"));
        Assert.Throws<CorruptRecordException>(() => TopicMetadataFile.Decode(file.AsSpan(0, file.Length - 1), "topics.meta"));
    }

    [Fact]
    public void Encode_Layout_StartsWithMagicCrcAndVersion()
    {
        byte[] file = TopicMetadataFile.Encode([]);

        Assert.Equal("CLTM"u8.ToArray(), file[..4]);
        Assert.Equal(System.IO.Hashing.Crc32.HashToUInt32(System.IO.Hashing.Crc32ParameterSet.Crc32C, file.AsSpan(8)), System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(4)));
        Assert.Equal(TopicMetadataFile.Version, System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(file.AsSpan(8)));
    }

    [Fact]
    public void ConfigEntries_EveryTopicKey_RoundTripsThroughOverrides()
    {
        var config = new TopicConfig(new Dictionary<string, string>
        {
            ["cleanup.policy"] = "compact,delete", ["compression.type"] = "lz4", ["retention.ms"] = "-1", ["retention.bytes"] = "1000000",
            ["segment.bytes"] = "2048", ["segment.ms"] = "60000", ["max.message.bytes"] = "5000", ["index.interval.bytes"] = "100",
            ["message.timestamp.type"] = "LogAppendTime", ["min.insync.replicas"] = "2", ["replication.factor"] = "3",
            ["flush.messages"] = "10", ["flush.ms"] = "500", ["delete.retention.ms"] = "1", ["min.cleanable.dirty.ratio"] = "0.25",
            ["min.compaction.lag.ms"] = "7",
        });

        var overrides = TopicConfigEntries.ToOverrides(config);
        TopicConfig back = new(overrides);

        Assert.Equal(16, overrides.Count);
        Assert.Equal(TopicConfigEntries.ToEntries(config), TopicConfigEntries.ToEntries(back));
        Assert.Empty(TopicConfigEntries.ToOverrides(new TopicConfig()));
    }
}

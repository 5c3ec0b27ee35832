using CommitLog.Storage;

namespace CommitLog.Tests.Config;

public class TopicConfigTests
{
    public static TheoryData<string, string, Func<TopicConfig, object?>, object?> ValidValues => new()
    {
        { "cleanup.policy", "delete", c => c.CleanupPolicy, CleanupPolicy.Delete },
        { "cleanup.policy", "compact", c => c.CleanupPolicy, CleanupPolicy.Compact },
        { "cleanup.policy", "compact,delete", c => c.CleanupPolicy, CleanupPolicy.Compact | CleanupPolicy.Delete },
        { "cleanup.policy", "delete, compact", c => c.CleanupPolicy, CleanupPolicy.Compact | CleanupPolicy.Delete },
        { "compression.type", "producer", c => c.CompressionType, null },
        { "compression.type", "none", c => c.CompressionType, CompressionType.None },
        { "compression.type", "uncompressed", c => c.CompressionType, CompressionType.None },
        { "compression.type", "gzip", c => c.CompressionType, CompressionType.Gzip },
        { "compression.type", "lz4", c => c.CompressionType, CompressionType.Lz4 },
        { "retention.ms", "-1", c => c.RetentionMs, null },
        { "retention.ms", "3600000", c => c.RetentionMs, TimeSpan.FromHours(1) },
        { "retention.bytes", "-1", c => c.RetentionBytes, -1L },
        { "retention.bytes", "1073741824", c => c.RetentionBytes, 1L << 30 },
        { "segment.bytes", "1048576", c => c.SegmentBytes, 1L << 20 },
        { "segment.ms", "60000", c => c.SegmentMs, TimeSpan.FromMinutes(1) },
        { "max.message.bytes", "2097152", c => c.MaxMessageBytes, 2 << 20 },
        { "index.interval.bytes", "8192", c => c.IndexIntervalBytes, 8192 },
        { "message.timestamp.type", "CreateTime", c => c.MessageTimestampType, TimestampType.CreateTime },
        { "message.timestamp.type", "LogAppendTime", c => c.MessageTimestampType, TimestampType.LogAppendTime },
        { "min.insync.replicas", "2", c => c.MinInsyncReplicas, 2 },
        { "replication.factor", "3", c => c.ReplicationFactor, 3 },
        { "flush.messages", "1", c => c.FlushPolicy.IsBeforeAck, true },
        { "flush.messages", "1000", c => c.FlushMessages, 1000L },
        { "flush.ms", "1000", c => c.FlushMs, TimeSpan.FromSeconds(1) },
        { "flush.ms", "9223372036854775807", c => c.FlushMs, null },
        { "delete.retention.ms", "0", c => c.DeleteRetentionMs, TimeSpan.Zero },
        { "min.cleanable.dirty.ratio", "0.25", c => c.MinCleanableDirtyRatio, 0.25 },
        { "min.compaction.lag.ms", "5000", c => c.MinCompactionLagMs, TimeSpan.FromSeconds(5) },
    };

    public static TheoryData<string, string, string> InvalidValues => new()
    {
        { "cleanup.policy", "archive", "delete, compact" },
        { "cleanup.policy", "", "delete, compact" },
        { "compression.type", "snappy", "not supported yet" },
        { "compression.type", "brotli", "producer, uncompressed, none, gzip, lz4." },
        { "retention.ms", "-2", "-1 to" },
        { "retention.bytes", "-2", "-1 to" },
        { "segment.bytes", "100", "1024 to" },
        { "segment.bytes", "2147483648", "2147483647" },
        { "segment.ms", "0", "1 to" },
        { "max.message.bytes", "10", "61 to" },
        { "index.interval.bytes", "-1", "0 to" },
        { "message.timestamp.type", "IngestTime", "CreateTime, LogAppendTime" },
        { "min.insync.replicas", "0", "1 to" },
        { "replication.factor", "40000", "1 to 32767" },
        { "flush.messages", "0", "1 to" },
        { "flush.ms", "0", "1 to" },
        { "delete.retention.ms", "-1", "0 to" },
        { "min.cleanable.dirty.ratio", "1.5", "0 to 1" },
        { "min.cleanable.dirty.ratio", "NaN", "0 to 1" },
        { "min.compaction.lag.ms", "-1", "0 to" },
    };

    [Fact]
    public void Defaults_AreKafkas()
    {
        var config = new TopicConfig();
        Assert.Equal(CleanupPolicy.Delete, config.CleanupPolicy);
        Assert.Null(config.CompressionType);
        Assert.Equal(TimeSpan.FromDays(7), config.RetentionMs);
        Assert.Equal(-1, config.RetentionBytes);
        Assert.Equal(1L << 30, config.SegmentBytes);
        Assert.Equal(TimeSpan.FromDays(7), config.SegmentMs);
        Assert.Equal(1048588, config.MaxMessageBytes);
        Assert.Equal(TimestampType.CreateTime, config.MessageTimestampType);
        Assert.Equal(1, config.MinInsyncReplicas);
        Assert.Equal(1, config.ReplicationFactor);
        Assert.Same(FlushPolicy.Os, config.FlushPolicy);
        Assert.Equal(long.MaxValue, config.FlushMessages);
        Assert.Null(config.FlushMs);
        Assert.Equal(TimeSpan.FromDays(1), config.DeleteRetentionMs);
        Assert.Equal(0.5, config.MinCleanableDirtyRatio);
        Assert.Equal(TimeSpan.Zero, config.MinCompactionLagMs);
    }

    [Theory]
    [MemberData(nameof(ValidValues))]
    public void Key_ValidValue_SetsTypedProperty(string key, string value, Func<TopicConfig, object?> property, object? expected) =>
        Assert.Equal(expected, property(new TopicConfig(new Dictionary<string, string> { [key] = value })));

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public void Key_InvalidValue_ThrowsNamingKeyValueAndAllowed(string key, string value, string allowed)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new TopicConfig(new Dictionary<string, string> { [key] = value }));
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
        Assert.Contains(value, ex.Message, StringComparison.Ordinal);
        Assert.Contains(allowed, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryKnownKey_IsParsed()
    {
        string[] sampled = [.. ValidValues.Select(row => (string)row.Data.Item1).Distinct().Order(StringComparer.Ordinal)];
        Assert.Equal(ConfigSchema.Topic.Keys.Order(StringComparer.Ordinal), sampled);
    }

    [Fact]
    public void FlushMessagesAndMs_Together_BecomeOneEveryPolicy()
    {
        var config = new TopicConfig(new Dictionary<string, string> { ["flush.messages"] = "500", ["flush.ms"] = "200" });
        Assert.Equal(500, config.FlushPolicy.Messages);
        Assert.Equal(TimeSpan.FromMilliseconds(200), config.FlushPolicy.Interval);
        Assert.False(config.FlushPolicy.IsBeforeAck);
    }

    [Fact]
    public void NetworkKeys_AreUnknownForTopics()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TopicConfig([new("bootstrap.servers", "x")]));
        Assert.Contains("Unknown topic setting 'bootstrap.servers'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownKey_SuggestsClosest()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TopicConfig([new("retention.msec", "1")]));
        Assert.Contains("Did you mean 'retention.ms'?", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToLogOptions_MapsTopicSettingsAndKeepsTemplateServices()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var template = new LogOptions { TimeProvider = clock, RecoveryMode = RecoveryMode.Salvage,
            CheckpointInterval = TimeSpan.FromSeconds(9) };
        var topic = new TopicConfig(new Dictionary<string, string>
        {
            ["segment.bytes"] = "1048576",
            ["segment.ms"] = "3600000",
            ["retention.ms"] = "-1",
            ["retention.bytes"] = "104857600",
            ["max.message.bytes"] = "65536",
            ["index.interval.bytes"] = "1024",
            ["message.timestamp.type"] = "LogAppendTime",
            ["flush.messages"] = "100",
            ["flush.ms"] = "50",
        });

        LogOptions options = topic.ToLogOptions(template);

        Assert.Equal(1L << 20, options.SegmentBytes);
        Assert.Equal(TimeSpan.FromHours(1), options.SegmentMs);
        Assert.Null(options.RetentionMs);
        Assert.Equal(100L << 20, options.RetentionBytes);
        Assert.Equal(65536, options.MaxMessageBytes);
        Assert.Equal(1024, options.IndexIntervalBytes);
        Assert.Equal(TimestampType.LogAppendTime, options.TimestampType);
        Assert.Equal(100, options.FlushPolicy.Messages);
        Assert.Equal(TimeSpan.FromMilliseconds(50), options.FlushPolicy.Interval);
        Assert.Same(clock, options.TimeProvider);
        Assert.Equal(RecoveryMode.Salvage, options.RecoveryMode);
        Assert.Equal(TimeSpan.FromSeconds(9), options.CheckpointInterval);
    }

    [Fact]
    public void ToLogOptions_Defaults_MatchLogOptionsDefaults()
    {
        LogOptions mapped = new TopicConfig().ToLogOptions();
        LogOptions defaults = LogOptions.Default;
        Assert.Equal(defaults.SegmentBytes, mapped.SegmentBytes);
        Assert.Equal(defaults.SegmentMs, mapped.SegmentMs);
        Assert.Equal(defaults.RetentionMs, mapped.RetentionMs);
        Assert.Equal(defaults.RetentionBytes, mapped.RetentionBytes);
        Assert.Equal(defaults.MaxMessageBytes, mapped.MaxMessageBytes);
        Assert.Equal(defaults.IndexIntervalBytes, mapped.IndexIntervalBytes);
        Assert.Same(defaults.FlushPolicy, mapped.FlushPolicy);
    }

    [Fact]
    public void TypedInit_InvalidValues_ThrowNamingTheKafkaKey()
    {
        Assert.Equal("retention.ms", Assert.Throws<ArgumentOutOfRangeException>(()
            => new TopicConfig { RetentionMs = TimeSpan.Zero }).ParamName);
        Assert.Equal("cleanup.policy", Assert.Throws<ArgumentOutOfRangeException>(() => new TopicConfig { CleanupPolicy = 0 }).ParamName);
        Assert.Throws<ArgumentException>(() => new TopicConfig { CompressionType = CompressionType.Snappy });
        Assert.Throws<ArgumentNullException>(() => new TopicConfig { FlushPolicy = null! });
    }
}

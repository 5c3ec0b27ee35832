using CommitLog.Storage;

namespace CommitLog.Tests.Config;

public class ProducerConfigTests
{
    public static TheoryData<string, string, Func<ProducerConfig, object>, object> ValidValues => new()
    {
        { "acks", "0", c => c.Acks, Acks.None },
        { "acks", "1", c => c.Acks, Acks.Leader },
        { "acks", "all", c => c.Acks, Acks.All },
        { "acks", "-1", c => c.Acks, Acks.All },
        { "acks", "ALL", c => c.Acks, Acks.All },
        { "enable.idempotence", "false", c => c.EnableIdempotence, false },
        { "enable.idempotence", " True ", c => c.EnableIdempotence, true },
        { "retries", "0", c => c.Retries, 0 },
        { "retries", "2147483647", c => c.Retries, int.MaxValue },
        { "max.in.flight.requests.per.connection", "1", c => c.MaxInFlightRequestsPerConnection, 1 },
        { "batch.size", "0", c => c.BatchSize, 0 },
        { "batch.size", "1048576", c => c.BatchSize, 1 << 20 },
        { "linger.ms", "0", c => c.LingerMs, TimeSpan.Zero },
        { "linger.ms", "250", c => c.LingerMs, TimeSpan.FromMilliseconds(250) },
        { "compression.type", "none", c => c.CompressionType, CompressionType.None },
        { "compression.type", "gzip", c => c.CompressionType, CompressionType.Gzip },
        { "compression.type", "lz4", c => c.CompressionType, CompressionType.Lz4 },
        { "buffer.memory", "1073741824", c => c.BufferMemory, 1L << 30 },
        { "max.block.ms", "0", c => c.MaxBlockMs, TimeSpan.Zero },
        { "delivery.timeout.ms", "40000", c => c.DeliveryTimeoutMs, TimeSpan.FromSeconds(40) },
        { "request.timeout.ms", "1000", c => c.RequestTimeoutMs, TimeSpan.FromSeconds(1) },
        { "partitioner", "murmur2_random", c => c.Partitioner, PartitionerKind.Murmur2Random },
        { "partitioner", "consistent_random", c => c.Partitioner, PartitionerKind.ConsistentRandom },
        { "partitioner", "fnv1a", c => c.Partitioner, PartitionerKind.Fnv1a },
        { "partitioner", "round_robin", c => c.Partitioner, PartitionerKind.RoundRobin },
        { "client.id", "billing-service", c => c.ClientId, "billing-service" },
    };

    public static TheoryData<string, string, string> InvalidValues => new()
    {
        { "acks", "2", "all, -1, 1, 0" },
        { "acks", "leader", "all" },
        { "enable.idempotence", "yes", "true, false" },
        { "retries", "-1", "0 to" },
        { "retries", "2147483648", "2147483647" },
        { "max.in.flight.requests.per.connection", "0", "1 to" },
        { "batch.size", "16k", "whole number" },
        { "linger.ms", "-5", "0 to" },
        { "linger.ms", "1.5", "whole number" },
        { "compression.type", "brotli", "allowed values are none, gzip, lz4." },
        { "compression.type", "snappy", "not supported yet" },
        { "compression.type", "zstd", "not supported yet" },
        { "buffer.memory", "-1", "0 to" },
        { "max.block.ms", "", "whole number" },
        { "delivery.timeout.ms", "-1", "0 to" },
        { "request.timeout.ms", "abc", "whole number" },
        { "partitioner", "murmur3", "murmur2_random" },
    };

    [Fact]
    public void Defaults_AreKafkas()
    {
        var config = new ProducerConfig();
        Assert.Equal(Acks.All, config.Acks);
        Assert.True(config.EnableIdempotence);
        Assert.Equal(int.MaxValue, config.Retries);
        Assert.Equal(5, config.MaxInFlightRequestsPerConnection);
        Assert.Equal(16384, config.BatchSize);
        Assert.Equal(TimeSpan.FromMilliseconds(5), config.LingerMs);
        Assert.Equal(CompressionType.None, config.CompressionType);
        Assert.Equal(33554432, config.BufferMemory);
        Assert.Equal(TimeSpan.FromSeconds(60), config.MaxBlockMs);
        Assert.Equal(TimeSpan.FromSeconds(120), config.DeliveryTimeoutMs);
        Assert.Equal(TimeSpan.FromSeconds(30), config.RequestTimeoutMs);
        Assert.Equal(PartitionerKind.Murmur2Random, config.Partitioner);
        Assert.Equal(string.Empty, config.ClientId);
    }

    [Theory]
    [MemberData(nameof(ValidValues))]
    public void Key_ValidValue_SetsTypedProperty(string key, string value, Func<ProducerConfig, object> property, object expected)
    {
        Assert.Equal(expected, property(new ProducerConfig(new Dictionary<string, string> { [key] = value })));
    }

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public void Key_InvalidValue_ThrowsNamingKeyValueAndAllowed(string key, string value, string allowed)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new ProducerConfig(new Dictionary<string, string> { [key] = value }));
        Assert.Contains($"'{key}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(value.Trim(), ex.Message, StringComparison.Ordinal);
        Assert.Contains(allowed, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryKnownKey_IsParsed()
    {
        string[] sampled = [.. ValidValues.Select(row => (string)row.Data.Item1).Distinct().Order(StringComparer.Ordinal)];
        Assert.Equal(ConfigSchema.Producer.Keys.Order(StringComparer.Ordinal), sampled);
    }

    [Theory]
    [InlineData("linger.m", "linger.ms")]
    [InlineData("batch_size", "batch.size")]
    [InlineData("Acks", "acks")]
    [InlineData("compresion.type", "compression.type")]
    public void UnknownKey_Throws_SuggestingTheClosestKey(string key, string suggestion)
    {
        var ex = Assert.Throws<ArgumentException>(() => new ProducerConfig(new Dictionary<string, string> { [key] = "1" }));
        Assert.Contains($"Unknown producer setting '{key}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"Did you mean '{suggestion}'?", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownKey_FarFromEveryKey_HasNoSuggestion()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ProducerConfig([new("completely.unrelated.thing", "1")]));
        Assert.DoesNotContain("Did you mean", ex.Message, StringComparison.Ordinal);
        Assert.Contains("linger.ms", ex.Message, StringComparison.Ordinal); // lists the known keys
    }

    [Fact]
    public void ConsumerKey_Throws_SayingItIsAConsumerSetting()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ProducerConfig([new("group.id", "g")]));
        Assert.Contains("'group.id' is a consumer setting", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NetworkOnlyKeys_AreIgnoredAndListed()
    {
        var config = new ProducerConfig(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = "localhost:9092",
            ["security.protocol"] = "SASL_SSL",
            ["sasl.mechanism"] = "PLAIN",
            ["sasl.username"] = "u",
            ["ssl.ca.location"] = "/etc/ca.pem",
            ["socket.keepalive.enable"] = "true",
            ["acks"] = "1",
            ["enable.idempotence"] = "false",
        });

        Assert.Equal(Acks.Leader, config.Acks);
        Assert.Equal(
            ["bootstrap.servers", "sasl.mechanism", "sasl.username", "security.protocol", "socket.keepalive.enable", "ssl.ca.location"],
            config.IgnoredKeys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TransactionalId_IsRejectedAsNotSupportedYet()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ProducerConfig([new("transactional.id", "tx-1")]));
        Assert.Contains("not supported yet", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateKey_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ProducerConfig([new("acks", "all"), new("acks", "1")]));
        Assert.Contains("more than once", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullValue_ThrowsNamingTheKey()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ProducerConfig([new("linger.ms", null!)]));
        Assert.Contains("'linger.ms' has a null value", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("acks", "1", "acks=all")]
    [InlineData("acks", "0", "acks=all")]
    [InlineData("retries", "0", "retries > 0")]
    [InlineData("max.in.flight.requests.per.connection", "6", "<= 5")]
    public void ExplicitIdempotence_WithConflictingSetting_Throws(string key, string value, string rule)
    {
        var ex = Assert.Throws<ArgumentException>(() => new ProducerConfig(new Dictionary<string, string>
        {
            ["enable.idempotence"] = "true",
            [key] = value,
        }));
        Assert.Contains("enable.idempotence=true requires", ex.Message, StringComparison.Ordinal);
        Assert.Contains(rule, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("acks", "1")]
    [InlineData("retries", "0")]
    [InlineData("max.in.flight.requests.per.connection", "10")]
    public void DefaultIdempotence_WithConflictingSetting_IsTurnedOff(string key, string value)
    {
        var config = new ProducerConfig(new Dictionary<string, string> { [key] = value });
        Assert.False(config.EnableIdempotence);
    }

    [Fact]
    public void TypedInit_ExplicitIdempotenceConflict_FailsValidate()
    {
        var config = new ProducerConfig { EnableIdempotence = true, Acks = Acks.Leader };
        Assert.Throws<ArgumentException>(config.Validate);
    }

    [Fact]
    public void ExplicitDeliveryTimeout_BelowLingerPlusRequestTimeout_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ProducerConfig(new Dictionary<string, string>
        {
            ["delivery.timeout.ms"] = "30000",
            ["linger.ms"] = "10",
            ["request.timeout.ms"] = "30000",
        }));
        Assert.Contains("delivery.timeout.ms (30000) must be at least linger.ms + request.timeout.ms (10 + 30000)", ex.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultDeliveryTimeout_IsRaisedToLingerPlusRequestTimeout()
    {
        var config = new ProducerConfig(new Dictionary<string, string> { ["request.timeout.ms"] = "200000", ["linger.ms"] = "100" });
        Assert.Equal(TimeSpan.FromMilliseconds(200100), config.DeliveryTimeoutMs);
    }

    [Fact]
    public void TypedInit_OutOfRange_ThrowsNamingTheKafkaKey()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ProducerConfig { LingerMs = TimeSpan.FromMilliseconds(-1) });
        Assert.Equal("linger.ms", ex.ParamName);
        Assert.Throws<ArgumentException>(() => new ProducerConfig { CompressionType = CompressionType.Zstd });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProducerConfig { Acks = (Acks)5 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProducerConfig { MaxInFlightRequestsPerConnection = 0 });
    }

    [Fact]
    public void NullSettings_Throws() => Assert.Throws<ArgumentNullException>(() => new ProducerConfig(null!));
}

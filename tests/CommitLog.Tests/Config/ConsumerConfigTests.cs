namespace CommitLog.Tests.Config;

public class ConsumerConfigTests
{
    public static TheoryData<string, string, Func<ConsumerConfig, object?>, object?> ValidValues => new()
    {
        { "group.id", "billing", c => c.GroupId, "billing" },
        { "auto.offset.reset", "earliest", c => c.AutoOffsetReset, AutoOffsetReset.Earliest },
        { "auto.offset.reset", "latest", c => c.AutoOffsetReset, AutoOffsetReset.Latest },
        { "auto.offset.reset", "error", c => c.AutoOffsetReset, AutoOffsetReset.Error },
        { "auto.offset.reset", "none", c => c.AutoOffsetReset, AutoOffsetReset.Error },
        { "enable.auto.commit", "false", c => c.EnableAutoCommit, false },
        { "auto.commit.interval.ms", "1000", c => c.AutoCommitIntervalMs, TimeSpan.FromSeconds(1) },
        { "enable.auto.offset.store", "false", c => c.EnableAutoOffsetStore, false },
        { "max.poll.records", "1", c => c.MaxPollRecords, 1 },
        { "fetch.min.bytes", "65536", c => c.FetchMinBytes, 65536 },
        { "fetch.max.wait.ms", "0", c => c.FetchMaxWaitMs, TimeSpan.Zero },
        { "fetch.max.bytes", "1024", c => c.FetchMaxBytes, 1024 },
        { "max.partition.fetch.bytes", "2097152", c => c.MaxPartitionFetchBytes, 2 << 20 },
        { "session.timeout.ms", "10000", c => c.SessionTimeoutMs, TimeSpan.FromSeconds(10) },
        { "heartbeat.interval.ms", "1000", c => c.HeartbeatIntervalMs, TimeSpan.FromSeconds(1) },
        { "max.poll.interval.ms", "60000", c => c.MaxPollIntervalMs, TimeSpan.FromMinutes(1) },
        { "partition.assignment.strategy", "range", c => c.PartitionAssignmentStrategy, PartitionAssignmentStrategy.Range },
        { "partition.assignment.strategy", "roundrobin", c => c.PartitionAssignmentStrategy, PartitionAssignmentStrategy.RoundRobin },
        { "partition.assignment.strategy", "cooperative-sticky", c => c.PartitionAssignmentStrategy,
            PartitionAssignmentStrategy.CooperativeSticky },
        {
            "partition.assignment.strategy", "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
            c => c.PartitionAssignmentStrategy, PartitionAssignmentStrategy.CooperativeSticky
        },
        {
            "partition.assignment.strategy", "range, cooperative-sticky",
            c => string.Join(",", c.PartitionAssignmentStrategies), "Range,CooperativeSticky"
        },
        { "group.instance.id", "worker-1.eu_west", c => c.GroupInstanceId, "worker-1.eu_west" },
        { "isolation.level", "read_committed", c => c.IsolationLevel, IsolationLevel.ReadCommitted },
        { "isolation.level", "read_uncommitted", c => c.IsolationLevel, IsolationLevel.ReadUncommitted },
        { "enable.partition.eof", "true", c => c.EnablePartitionEof, true },
        { "client.id", "c-1", c => c.ClientId, "c-1" },
    };

    public static TheoryData<string, string, string> InvalidValues => new()
    {
        { "group.id", "", "cannot be empty" },
        { "auto.offset.reset", "smallest", "earliest, latest, error" },
        { "enable.auto.commit", "1", "true, false" },
        { "auto.commit.interval.ms", "-1", "0 to" },
        { "max.poll.records", "0", "1 to" },
        { "fetch.min.bytes", "-1", "0 to" },
        { "fetch.max.wait.ms", "x", "whole number" },
        { "fetch.max.bytes", "0", "1 to" },
        { "max.partition.fetch.bytes", "0", "1 to" },
        { "session.timeout.ms", "0", "1 to 3600000" },
        { "session.timeout.ms", "3600001", "1 to 3600000" },
        { "heartbeat.interval.ms", "0", "1 to" },
        { "max.poll.interval.ms", "0", "1 to" },
        { "partition.assignment.strategy", "sticky", "range, roundrobin, cooperative-sticky" },
        { "partition.assignment.strategy", "range, range", "twice" },
        { "partition.assignment.strategy", "range,,roundrobin", "empty entry" },
        { "partition.assignment.strategy", "range,sticky", "range, roundrobin, cooperative-sticky" },
        { "group.instance.id", "worker 1", "only ASCII letters" },
        { "isolation.level", "serializable", "read_uncommitted, read_committed" },
        { "enable.partition.eof", "on", "true, false" },
    };

    [Fact]
    public void Defaults_AreKafkas()
    {
        var config = new ConsumerConfig();
        Assert.Null(config.GroupId);
        Assert.Equal(AutoOffsetReset.Latest, config.AutoOffsetReset);
        Assert.True(config.EnableAutoCommit);
        Assert.Equal(TimeSpan.FromSeconds(5), config.AutoCommitIntervalMs);
        Assert.Equal(500, config.MaxPollRecords);
        Assert.Equal(1, config.FetchMinBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(500), config.FetchMaxWaitMs);
        Assert.Equal(52428800, config.FetchMaxBytes);
        Assert.Equal(1048576, config.MaxPartitionFetchBytes);
        Assert.Equal(TimeSpan.FromSeconds(45), config.SessionTimeoutMs);
        Assert.Equal(TimeSpan.FromSeconds(3), config.HeartbeatIntervalMs);
        Assert.Equal(TimeSpan.FromMinutes(5), config.MaxPollIntervalMs);
        Assert.Equal(PartitionAssignmentStrategy.Range, config.PartitionAssignmentStrategy);
        Assert.Equal([PartitionAssignmentStrategy.Range, PartitionAssignmentStrategy.CooperativeSticky], config.PartitionAssignmentStrategies);
        Assert.Null(config.GroupInstanceId);
        Assert.Equal(IsolationLevel.ReadUncommitted, config.IsolationLevel);
        Assert.False(config.EnablePartitionEof);
    }

    [Theory]
    [MemberData(nameof(ValidValues))]
    public void Key_ValidValue_SetsTypedProperty(string key, string value, Func<ConsumerConfig, object?> property, object? expected) =>
        Assert.Equal(expected, property(new ConsumerConfig(new Dictionary<string, string> { [key] = value })));

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public void Key_InvalidValue_ThrowsNamingKeyValueAndAllowed(string key, string value, string allowed)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new ConsumerConfig(new Dictionary<string, string> { [key] = value }));
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
        Assert.Contains(value, ex.Message, StringComparison.Ordinal);
        Assert.Contains(allowed, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryKnownKey_IsParsed()
    {
        string[] sampled = [.. ValidValues.Select(row => (string)row.Data.Item1).Distinct().Order(StringComparer.Ordinal)];
        Assert.Equal(ConfigSchema.Consumer.Keys.Order(StringComparer.Ordinal), sampled);
    }

    [Theory]
    [InlineData("3000", "3000")]
    [InlineData("3000", "10000")]
    public void Heartbeat_NotBelowSessionTimeout_Throws(string session, string heartbeat)
    {
        var ex = Assert.Throws<ArgumentException>(() => new ConsumerConfig(new Dictionary<string, string>
        {
            ["session.timeout.ms"] = session,
            ["heartbeat.interval.ms"] = heartbeat,
        }));
        Assert.Contains("heartbeat.interval.ms", ex.Message, StringComparison.Ordinal);
        Assert.Contains("must be lower than session.timeout.ms", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TypedInit_HeartbeatAboveSession_FailsValidate()
    {
        var config = new ConsumerConfig { SessionTimeoutMs = TimeSpan.FromSeconds(6), HeartbeatIntervalMs = TimeSpan.FromSeconds(6) };
        Assert.Throws<ArgumentException>(config.Validate);
    }

    [Fact]
    public void UnknownKey_SuggestsClosest()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ConsumerConfig([new("group.idd", "g")]));
        Assert.Contains("Did you mean 'group.id'?", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProducerKey_SaysItIsAProducerSetting()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ConsumerConfig([new("linger.ms", "5")]));
        Assert.Contains("'linger.ms' is a producer setting", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NetworkOnlyKeys_AreIgnoredAndListed()
    {
        var config = new ConsumerConfig([new("bootstrap.servers", "b:9092"), new("ssl.key.password", "x"), new("group.id", "g")]);
        Assert.Equal(["bootstrap.servers", "ssl.key.password"], config.IgnoredKeys);
        Assert.Equal("g", config.GroupId);
    }

    [Fact]
    public void GroupInstanceId_TooLong_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ConsumerConfig { GroupInstanceId = new string('a', 250) });
        Assert.Contains("at most 249", ex.Message, StringComparison.Ordinal);
    }
}

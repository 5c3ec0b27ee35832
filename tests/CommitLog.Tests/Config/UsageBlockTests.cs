using CommitLog.Storage;

namespace CommitLog.Tests.Config;

/// <summary>The producer and consumer blocks of docs USAGE.md §1 and §2, copied verbatim, must parse.</summary>
public class UsageBlockTests
{
    [Fact]
    public void ProducerBlock_FromUsage_ParsesToTheTypedValues()
    {
        // The seed's producer block, unchanged keys and values:
        var config = new ProducerConfig(new Dictionary<string, string>
        {
            ["acks"] = "all",
            ["enable.idempotence"] = "true",
            ["retries"] = "2147483647",
            ["max.in.flight.requests.per.connection"] = "5",
            ["batch.size"] = "32768",
            ["linger.ms"] = "10",
            ["compression.type"] = "lz4",
            ["buffer.memory"] = "33554432",
            ["delivery.timeout.ms"] = "120000",
            ["request.timeout.ms"] = "30000",
        });

        Assert.Equal(Acks.All, config.Acks);
        Assert.True(config.EnableIdempotence);
        Assert.Equal(int.MaxValue, config.Retries);
        Assert.Equal(5, config.MaxInFlightRequestsPerConnection);
        Assert.Equal(32768, config.BatchSize);
        Assert.Equal(TimeSpan.FromMilliseconds(10), config.LingerMs);
        Assert.Equal(CompressionType.Lz4, config.CompressionType);
        Assert.Equal(33554432, config.BufferMemory);
        Assert.Equal(TimeSpan.FromMinutes(2), config.DeliveryTimeoutMs);
        Assert.Equal(TimeSpan.FromSeconds(30), config.RequestTimeoutMs);
        Assert.Empty(config.IgnoredKeys);
    }

    [Fact]
    public void ConsumerBlock_FromUsage_ParsesToTheTypedValues()
    {
        var consumerConfig = new ConsumerConfig(new Dictionary<string, string>
        {
            ["group.id"] = "my-consumer-group",
            ["auto.offset.reset"] = "earliest",
            ["enable.auto.commit"] = "false",
            ["max.poll.records"] = "500",
            ["session.timeout.ms"] = "30000",
            ["heartbeat.interval.ms"] = "3000",
            ["max.poll.interval.ms"] = "300000",
        });

        Assert.Equal("my-consumer-group", consumerConfig.GroupId);
        Assert.Equal(AutoOffsetReset.Earliest, consumerConfig.AutoOffsetReset);
        Assert.False(consumerConfig.EnableAutoCommit);
        Assert.Equal(500, consumerConfig.MaxPollRecords);
        Assert.Equal(TimeSpan.FromSeconds(30), consumerConfig.SessionTimeoutMs);
        Assert.Equal(TimeSpan.FromSeconds(3), consumerConfig.HeartbeatIntervalMs);
        Assert.Equal(TimeSpan.FromMinutes(5), consumerConfig.MaxPollIntervalMs);
    }

    [Fact]
    public void TopicBlock_FromUsage_Compiles()
    {
        var config = new TopicConfig
        {
            RetentionMs = TimeSpan.FromDays(7),
            FlushPolicy = FlushPolicy.BeforeAck,
        };

        Assert.Equal(TimeSpan.FromDays(7), config.RetentionMs);
        Assert.True(config.ToLogOptions().FlushPolicy.IsBeforeAck);
        Assert.Equal(1, config.FlushMessages);
    }

    [Fact]
    public void ReplicatedTopicBlock_FromUsage_Compiles()
    {
        var config = new TopicConfig { ReplicationFactor = 3, MinInsyncReplicas = 2 };
        Assert.Equal(3, config.ReplicationFactor);
        Assert.Equal(2, config.MinInsyncReplicas);
    }
}

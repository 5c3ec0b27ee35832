using CommitLog.Storage;

namespace CommitLog.Tests.Broker;

public class BrokerAdminTopicTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(BrokerKind.All), MemberType = typeof(BrokerKind))]
    public async Task CreateTopic_ThenListAndDescribe_ShowsPartitionsAndConfig(string kind)
    {
        using var k = BrokerKind.Create(kind);
        await using var broker = await k.OpenAsync();
        await broker.Admin.CreateTopicAsync("orders", 3, new TopicConfig { RetentionMs = TimeSpan.FromHours(5) }, Ct);
        await broker.Admin.CreateTopicAsync("audit", 1, cancellationToken: Ct);

        Assert.Equal(["audit", "orders"], await broker.Admin.ListTopicsAsync(Ct));
        TopicDescription orders = await broker.Admin.DescribeTopicAsync("orders", Ct);
        Assert.Equal("orders", orders.Name);
        Assert.Equal([0, 1, 2], orders.Partitions.Select(p => p.Partition));
        Assert.All(orders.Partitions, p => Assert.Equal((0L, 0L), (p.LogStartOffset, p.LogEndOffset)));
        Assert.Equal(TimeSpan.FromHours(5), orders.Config.RetentionMs);
        Assert.Equal("18000000", orders.ConfigEntries["retention.ms"]);
        Assert.NotEqual(orders.TopicId, (await broker.Admin.DescribeTopicAsync("audit", Ct)).TopicId);
    }

    [Theory]
    [MemberData(nameof(BrokerKind.All), MemberType = typeof(BrokerKind))]
    public async Task Append_ToCreatedTopic_IsReadBackAndDescribed(string kind)
    {
        using var k = BrokerKind.Create(kind);
        await using var broker = await k.OpenAsync();
        await broker.Admin.CreateTopicAsync("orders", 2, cancellationToken: Ct);

        AppendResult result = await broker.AppendAsync(new TopicPartition("orders", 1), Batches.Of("a", "b"), Ct);
        Assert.Equal((0L, 1L), (result.FirstOffset, result.LastOffset));
        using (LogReadResult read = broker.Read(new TopicPartition("orders", 1), 0, 1 << 20))
        {
            Assert.Equal(2, read.NextOffset);
        }

        TopicDescription described = await broker.Admin.DescribeTopicAsync("orders", Ct);
        Assert.Equal([0L, 2L], described.Partitions.Select(p => p.LogEndOffset));
        Assert.True(broker.TryGetPartitionLog(new TopicPartition("orders", 0), out _));
        Assert.False(broker.TryGetPartitionLog(new TopicPartition("orders", 2), out _));
        Assert.Equal(2, broker.GetPartitionCount("orders"));
    }

    [Theory]
    [MemberData(nameof(BrokerKind.All), MemberType = typeof(BrokerKind))]
    public async Task DeleteTopic_RemovesItsDataAndAllowsRecreation(string kind)
    {
        using var k = BrokerKind.Create(kind);
        await using var broker = await k.OpenAsync();
        await broker.Admin.CreateTopicAsync("orders", 2, cancellationToken: Ct);
        await broker.AppendAsync(new TopicPartition("orders", 0), Batches.Of("old"), Ct);
        Guid firstId = (await broker.Admin.DescribeTopicAsync("orders", Ct)).TopicId;

        await broker.Admin.DeleteTopicAsync("orders", Ct);

        Assert.Empty(await broker.Admin.ListTopicsAsync(Ct));
        await Assert.ThrowsAsync<UnknownTopicOrPartitionException>(async () => await broker.Admin.DescribeTopicAsync("orders", Ct));
        await Assert.ThrowsAsync<UnknownTopicOrPartitionException>(
            async () => await broker.AppendAsync(new TopicPartition("orders", 0), Batches.Of("x"), Ct));

        await broker.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct);
        TopicDescription again = await broker.Admin.DescribeTopicAsync("orders", Ct);
        Assert.NotEqual(firstId, again.TopicId);
        Assert.Equal(0, again.Partitions.Single().LogEndOffset);
    }

    [Theory]
    [MemberData(nameof(BrokerKind.All), MemberType = typeof(BrokerKind))]
    public async Task CreatePartitions_Increase_AddsEmptyPartitionsAndKeepsData(string kind)
    {
        using var k = BrokerKind.Create(kind);
        await using var broker = await k.OpenAsync();
        await broker.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct);
        await broker.AppendAsync(new TopicPartition("orders", 0), Batches.Of("a"), Ct);

        await broker.Admin.CreatePartitionsAsync("orders", 4, Ct);

        TopicDescription described = await broker.Admin.DescribeTopicAsync("orders", Ct);
        Assert.Equal([1L, 0L, 0L, 0L], described.Partitions.Select(p => p.LogEndOffset));
        AppendResult appended = await broker.AppendAsync(new TopicPartition("orders", 3), Batches.Of("b"), Ct);
        Assert.Equal(0, appended.FirstOffset);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(-2)]
    public async Task CreatePartitions_NotAnIncrease_ThrowsInvalidPartitions(int requested)
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("orders", 3, cancellationToken: Ct);

        var e = await Assert.ThrowsAsync<InvalidPartitionsException>(async () => await broker.Admin.CreatePartitionsAsync("orders", requested, Ct));

        Assert.Equal(ErrorCode.InvalidPartitions, e.ErrorCode);
        Assert.Contains("has 3 partitions", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, broker.GetPartitionCount("orders"));
    }

    [Theory]
    [MemberData(nameof(BrokerKind.All), MemberType = typeof(BrokerKind))]
    public async Task AlterTopicConfig_LogSetting_ReopensLogsWithNewSettingsAndKeepsData(string kind)
    {
        using var k = BrokerKind.Create(kind);
        await using var broker = await k.OpenAsync();
        await broker.Admin.CreateTopicAsync("orders", 2, cancellationToken: Ct);
        await broker.AppendAsync(new TopicPartition("orders", 0), Batches.Of("a"), Ct);
        Assert.True(broker.TryGetPartitionLog(new TopicPartition("orders", 0), out PartitionLog? before));

        await broker.Admin.AlterTopicConfigAsync("orders", new TopicConfig { SegmentBytes = 4096, FlushPolicy = FlushPolicy.BeforeAck }, Ct);

        Assert.True(broker.TryGetPartitionLog(new TopicPartition("orders", 0), out PartitionLog? after));
        Assert.NotSame(before, after);
        Assert.Equal(4096, after.Options.SegmentBytes);
        Assert.Equal(1, after.LogEndOffset);
        AppendResult appended = await broker.AppendAsync(new TopicPartition("orders", 0), Batches.Of("b"), Ct);
        Assert.Equal((1L, Durability.Flushed), (appended.FirstOffset, appended.Durability));
        TopicDescription described = await broker.Admin.DescribeTopicAsync("orders", Ct);
        Assert.Equal(4096, described.Config.SegmentBytes);
        Assert.Equal("1", described.ConfigEntries["flush.messages"]);
    }

    [Fact]
    public async Task AlterTopicConfig_NonLogSetting_KeepsLogsOpen()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct);
        Assert.True(broker.TryGetPartitionLog(new TopicPartition("orders", 0), out PartitionLog? before));

        await broker.Admin.AlterTopicConfigAsync("orders", new TopicConfig { MinInsyncReplicas = 2, CompressionType = CompressionType.Lz4 }, Ct);

        Assert.True(broker.TryGetPartitionLog(new TopicPartition("orders", 0), out PartitionLog? after));
        Assert.Same(before, after);
        Assert.Equal(2, broker.GetTopicConfig("orders").MinInsyncReplicas);
        Assert.Equal(CompressionType.Lz4, broker.GetTopicConfig("orders").CompressionType);
    }

    [Fact]
    public async Task CreateTopic_WithoutConfig_UsesBrokerDefaultTopicConfig()
    {
        await using var broker = CommitLog.Broker.CreateInMemory(new BrokerOptions
        {
            DefaultTopicConfig = new TopicConfig { FlushPolicy = FlushPolicy.BeforeAck },
        });
        await broker.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct);

        AppendResult appended = await broker.AppendAsync(new TopicPartition("orders", 0), Batches.Of("a"), Ct);

        Assert.Equal(Durability.Flushed, appended.Durability);
    }
}

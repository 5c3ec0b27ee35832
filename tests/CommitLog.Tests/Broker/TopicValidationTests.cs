using CommitLog.Storage;

namespace CommitLog.Tests.Broker;

public class TopicValidationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("", "empty")]
    [InlineData(".", "cannot be")]
    [InlineData("..", "cannot be")]
    [InlineData("orders/eu", "contains '/'")]
    [InlineData("ordres é", "contains ' '")]
    public async Task CreateTopic_IllegalName_ThrowsInvalidTopicNamingTheProblem(string name, string expected)
    {
        await using var broker = CommitLog.Broker.CreateInMemory();

        var e = await Assert.ThrowsAsync<InvalidTopicException>(async () => await broker.Admin.CreateTopicAsync(name, 1, cancellationToken: Ct));

        Assert.Equal(ErrorCode.InvalidTopic, e.ErrorCode);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Empty(await broker.Admin.ListTopicsAsync(Ct));
    }

    [Fact]
    public async Task CreateTopic_NameTooLong_ThrowsInvalidTopicWithTheLimit()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();

        var e = await Assert.ThrowsAsync<InvalidTopicException>(
            async () => await broker.Admin.CreateTopicAsync(new string('a', 250), 1, cancellationToken: Ct));

        Assert.Contains("249", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateTopic_NullName_ThrowsInvalidTopic()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();

        await Assert.ThrowsAsync<InvalidTopicException>(async () => await broker.Admin.CreateTopicAsync(null!, 1, cancellationToken: Ct));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task CreateTopic_PartitionsNotPositive_ThrowsInvalidPartitions(int partitions)
    {
        await using var broker = CommitLog.Broker.CreateInMemory();

        var e = await Assert.ThrowsAsync<InvalidPartitionsException>(
            async () => await broker.Admin.CreateTopicAsync("orders", partitions, cancellationToken: Ct));

        Assert.Contains("at least 1", e.Message, StringComparison.Ordinal);
        Assert.Equal(partitions, e.RequestedPartitions);
        Assert.Empty(await broker.Admin.ListTopicsAsync(Ct));
    }

    [Fact]
    public async Task CreateTopic_Twice_ThrowsTopicAlreadyExistsAndKeepsTheFirst()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("orders", 2, cancellationToken: Ct);

        var e = await Assert.ThrowsAsync<TopicAlreadyExistsException>(async () => await broker.Admin.CreateTopicAsync("orders", 5, cancellationToken: Ct));

        Assert.Equal((ErrorCode.TopicAlreadyExists, "orders"), (e.ErrorCode, e.Topic));
        Assert.Contains("already exists", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, broker.GetPartitionCount("orders"));
    }

    [Fact]
    public async Task CreateTopic_CollidingName_ThrowsInvalidTopicNamingTheOther()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("order_events", 1, cancellationToken: Ct);

        var e = await Assert.ThrowsAsync<InvalidTopicException>(async () => await broker.Admin.CreateTopicAsync("order.events", 1, cancellationToken: Ct));

        Assert.Contains("'order_events'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownTopic_EveryOperation_ThrowsUnknownTopicOrPartition()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();

        var describe = await Assert.ThrowsAsync<UnknownTopicOrPartitionException>(async () => await broker.Admin.DescribeTopicAsync("nope", Ct));
        await Assert.ThrowsAsync<UnknownTopicOrPartitionException>(async () => await broker.Admin.DeleteTopicAsync("nope", Ct));
        await Assert.ThrowsAsync<UnknownTopicOrPartitionException>(async () => await broker.Admin.CreatePartitionsAsync("nope", 3, Ct));
        await Assert.ThrowsAsync<UnknownTopicOrPartitionException>(
            async () => await broker.Admin.AlterTopicConfigAsync("nope", new TopicConfig(), Ct));
        Assert.Throws<UnknownTopicOrPartitionException>(() => broker.GetPartitionCount("nope"));

        Assert.Equal((ErrorCode.UnknownTopicOrPartition, "nope"), (describe.ErrorCode, describe.Topic));
        Assert.Contains("'nope' does not exist", describe.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Append_PartitionBeyondCount_ThrowsUnknownTopicOrPartitionWithTheRange()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("orders", 3, cancellationToken: Ct);

        var e = await Assert.ThrowsAsync<UnknownTopicOrPartitionException>(
            async () => await broker.AppendAsync(new TopicPartition("orders", 3), Batches.Of("x"), Ct));

        Assert.Equal(3, e.Partition);
        Assert.Contains("0 to 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_AfterDispose_ThrowsObjectDisposed()
    {
        var broker = CommitLog.Broker.CreateInMemory();
        await broker.DisposeAsync();
        await broker.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await broker.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await broker.Admin.ListTopicsAsync(Ct));
    }
}

using CommitLog.Groups;
using CommitLog.Storage;
using CommitLog.TestKit;
using CommitLog.Tests.Broker;

namespace CommitLog.Tests.Offsets;

public class GroupOffsetStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(BrokerKind.All), MemberType = typeof(BrokerKind))]
    public async Task Commit_ThenReopen_ReturnsTheSameOffsets(string kind)
    {
        using var k = BrokerKind.Create(kind);
        await using (var broker = await k.OpenAsync())
        {
            await broker.Admin.CreateTopicAsync("orders", 3, cancellationToken: Ct);
            await AppendAsync(broker, "orders", 0, 10);
            await AppendAsync(broker, "orders", 2, 4);
            await broker.GroupOffsets.CommitAsync("billing", GroupGeneration.None,
                [new(new("orders", 0), 7, LeaderEpoch: 3, Metadata: "m0"), new(new("orders", 2), 4)], Ct);
            await broker.GroupOffsets.CommitAsync("billing", GroupGeneration.None, [new(new("orders", 0), 9)], Ct);
            await broker.GroupOffsets.CommitAsync("audit", GroupGeneration.None, [new(new("orders", 0), 1)], Ct);
        }

        await using var reopened = await k.OpenAsync();
        var billing = reopened.GroupOffsets.Fetch("billing");
        Assert.Equal(2, billing.Count);
        Assert.Equal(9, billing[new("orders", 0)].Offset);
        Assert.Equal(-1, billing[new("orders", 0)].LeaderEpoch);
        Assert.Equal(4, billing[new("orders", 2)].Offset);
        Assert.Equal(k.Time.GetUtcNow().ToUnixTimeMilliseconds(), billing[new("orders", 2)].CommitTimestamp);
        Assert.Equal(1, reopened.GroupOffsets.Fetch("audit")[new("orders", 0)].Offset);
        Assert.Empty(reopened.GroupOffsets.Fetch("nobody"));
        Assert.Equal([new TopicPartition("orders", 2)], reopened.GroupOffsets.Fetch("billing", [new("orders", 2), new("orders", 1)]).Keys);
    }

    [Fact]
    public async Task Commit_MetadataAndLeaderEpoch_RoundTripThroughReopen()
    {
        using var k = BrokerKind.Create("simulated");
        await using (var broker = await k.OpenAsync())
        {
            await broker.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct);
            await AppendAsync(broker, "orders", 0, 5);
            await broker.GroupOffsets.CommitAsync("g", GroupGeneration.None, [new(new("orders", 0), 5, 12, "ünïcode metadata")], Ct);
        }

        await using var reopened = await k.OpenAsync();
        CommittedOffset committed = reopened.GroupOffsets.Fetch("g")[new("orders", 0)];
        Assert.Equal((5L, 12, "ünïcode metadata"), (committed.Offset, committed.LeaderEpoch, committed.Metadata));
    }

    [Theory]
    [InlineData(PowerLossMode.DropUnflushed)]
    [InlineData(PowerLossMode.KeepPrefix)]
    [InlineData(PowerLossMode.TornWrite)]
    [InlineData(PowerLossMode.Random)]
    public async Task Commit_Completed_SurvivesPowerLoss(PowerLossMode mode)
    {
        using var k = BrokerKind.Create("simulated");
        var disk = (SimulatedStorage)k.Storage!;
        var broker = await k.OpenAsync();
        await broker.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct);
        await AppendAsync(broker, "orders", 0, 100);
        disk.MakeEverythingDurable();
        for (int i = 1; i <= 50; i++)
        {
            await broker.GroupOffsets.CommitAsync("g", GroupGeneration.None, [new(new("orders", 0), i)], Ct);
        }

        disk.Crash(mode, seed: 11); // the process dies with the broker open: no clean shutdown
        GC.KeepAlive(broker);

        await using var reopened = await k.OpenAsync();
        Assert.Equal(50, reopened.GroupOffsets.Fetch("g")[new("orders", 0)].Offset);
    }

    [Fact]
    public async Task Commit_BadInput_ThrowsAndStoresNothing()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("orders", 2, cancellationToken: Ct);
        await AppendAsync(broker, "orders", 0, 5);
        IGroupOffsets offsets = broker.GroupOffsets;
        await offsets.CommitAsync("g", GroupGeneration.None, [new(new("orders", 0), 2)], Ct);

        var negative = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            async () => await offsets.CommitAsync("g", GroupGeneration.None, [new(new("orders", 0), -1)], Ct));
        Assert.Contains("log end offset 5", negative.Message, StringComparison.Ordinal);
        var beyond = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            async () => await offsets.CommitAsync("g", GroupGeneration.None, [new(new("orders", 0), 4), new(new("orders", 1), 1)], Ct));
        Assert.Contains("orders-1", beyond.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<UnknownTopicOrPartitionException>(
            async () => await offsets.CommitAsync("g", GroupGeneration.None, [new(new("orders", 0), 3), new(new("orders", 7), 0)], Ct));
        Assert.Contains("orders-7", unknown.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<UnknownTopicOrPartitionException>(
            async () => await offsets.CommitAsync("g", GroupGeneration.None, [new(new("nope", 0), 0)], Ct));
        var twice = await Assert.ThrowsAsync<ArgumentException>(
            async () => await offsets.CommitAsync("g", GroupGeneration.None, [new(new("orders", 0), 3), new(new("orders", 0), 4)], Ct));
        Assert.Contains("more than once", twice.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(
            async () => await offsets.CommitAsync("", GroupGeneration.None, [new(new("orders", 0), 3)], Ct));
        await Assert.ThrowsAsync<ArgumentException>(
            async () => await offsets.CommitAsync("g", GroupGeneration.None, [new(new("orders", 0), 3, -1, new string('x', 4097))], Ct));

        Assert.Equal(2, offsets.Fetch("g")[new("orders", 0)].Offset);
        Assert.Single(offsets.Fetch("g"));
    }

    [Fact]
    public async Task Commit_AtLogEndOffset_IsAllowed()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct);
        await AppendAsync(broker, "orders", 0, 3);

        await broker.GroupOffsets.CommitAsync("g", GroupGeneration.None, [new(new("orders", 0), 3)], Ct);

        Assert.Equal(3, broker.GroupOffsets.Fetch("g")[new("orders", 0)].Offset);
    }

    [Fact]
    public async Task ConcurrentCommits_MemoryMatchesWhatAReopenReadsBack()
    {
        using var k = BrokerKind.Create("memory");
        long[] expected;
        await using (var broker = await k.OpenAsync())
        {
            await broker.Admin.CreateTopicAsync("orders", 4, cancellationToken: Ct);
            for (int p = 0; p < 4; p++)
            {
                await AppendAsync(broker, "orders", p, 200);
            }

            await Task.WhenAll(Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
            {
                for (int i = 0; i < 100; i++)
                {
                    await broker.GroupOffsets.CommitAsync(
                        "g", GroupGeneration.None, [new(new("orders", (writer + i) % 4), (writer * 7) + i)], Ct);
                }
            }, Ct)));
            var inMemory = broker.GroupOffsets.Fetch("g");
            expected = [.. Enumerable.Range(0, 4).Select(p => inMemory[new("orders", p)].Offset)];
        }

        await using var reopened = await k.OpenAsync();
        var readBack = reopened.GroupOffsets.Fetch("g");
        Assert.Equal(expected, Enumerable.Range(0, 4).Select(p => readBack[new("orders", p)].Offset));
    }

    [Fact]
    public async Task OffsetsTopic_IsInternal_HiddenFromListAndProtected()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct);
        await broker.GroupOffsets.CommitAsync("g", GroupGeneration.None, [new(new("orders", 0), 0)], Ct);

        Assert.Equal(["orders"], await broker.Admin.ListTopicsAsync(Ct));
        TopicDescription offsets = await broker.Admin.DescribeTopicAsync(OffsetsTopic.Name, Ct);
        Assert.Equal(CleanupPolicy.Compact, offsets.Config.CleanupPolicy);
        Assert.Equal(FlushPolicy.BeforeAck, offsets.Config.FlushPolicy);
        var delete = await Assert.ThrowsAsync<InvalidTopicException>(async () => await broker.Admin.DeleteTopicAsync(OffsetsTopic.Name, Ct));
        Assert.Contains("internal", delete.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidTopicException>(async () => await broker.Admin.CreateTopicAsync("__transaction_state", 1, cancellationToken: Ct));
    }

    [Fact]
    public async Task DeleteTopic_ForgetsItsCommittedOffsets()
    {
        using var k = BrokerKind.Create("memory");
        await using (var broker = await k.OpenAsync())
        {
            await broker.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct);
            await broker.Admin.CreateTopicAsync("keep", 1, cancellationToken: Ct);
            await AppendAsync(broker, "orders", 0, 3);
            await broker.GroupOffsets.CommitAsync("g", GroupGeneration.None, [new(new("orders", 0), 3), new(new("keep", 0), 0)], Ct);

            await broker.Admin.DeleteTopicAsync("orders", Ct);
            await broker.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct);

            Assert.Equal([new TopicPartition("keep", 0)], broker.GroupOffsets.Fetch("g").Keys);
        }

        await using var reopened = await k.OpenAsync();
        Assert.Equal([new TopicPartition("keep", 0)], reopened.GroupOffsets.Fetch("g").Keys);
    }

    [Fact]
    public async Task DeleteGroup_RemovesItsOffsetsDurably()
    {
        using var k = BrokerKind.Create("memory");
        await using (var broker = await k.OpenAsync())
        {
            await broker.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct);
            await broker.GroupOffsets.CommitAsync("g", GroupGeneration.None, [new(new("orders", 0), 0)], Ct);
            await broker.GroupOffsets.CommitAsync("other", GroupGeneration.None, [new(new("orders", 0), 0)], Ct);
            await broker.OffsetStore.DeleteGroupAsync("g");
            Assert.Equal(["other"], broker.OffsetStore.GroupsWithOffsets());
        }

        await using var reopened = await k.OpenAsync();
        Assert.Equal(["other"], reopened.OffsetStore.GroupsWithOffsets());
    }

    [Fact]
    public async Task Open_UndecodableOffsetRecord_ThrowsCorruptRecordNamingTheOffset()
    {
        using var k = BrokerKind.Create("memory");
        await using (var broker = await k.OpenAsync())
        {
            await broker.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct);
            await broker.GroupOffsets.CommitAsync("g", GroupGeneration.None, [new(new("orders", 0), 0)], Ct);
            await broker.AppendAsync(new TopicPartition(OffsetsTopic.Name, 0), KeyedBatch([0, 1, 0], [0, 9, 1]), Ct);
        }

        var e = await Assert.ThrowsAsync<CorruptRecordException>(async () => await k.OpenAsync());
        Assert.Contains("offset 1 of __consumer_offsets", e.Message, StringComparison.Ordinal);
    }

    private static byte[] KeyedBatch(byte[] key, byte[] value)
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(1_700_000_000_000, key, value);
        return builder.ToArray();
    }

    private static async Task AppendAsync(CommitLog.Broker broker, string topic, int partition, int count)
    {
        for (int i = 0; i < count; i++)
        {
            await broker.AppendAsync(new TopicPartition(topic, partition), Batches.Of($"r{i}"), Ct);
        }
    }
}

using CommitLog.Groups;
using CommitLog.Tests.Groups;
using Microsoft.Extensions.Logging.Abstractions;

namespace CommitLog.Tests.Offsets;

public class GroupAdminTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DescribeConsumerGroup_MembersAndCommits_ReportsKafkasDescribeColumns()
    {
        await using var broker = CommitLog.Broker.CreateInMemory(new BrokerOptions { GroupInitialRebalanceDelay = TimeSpan.Zero });
        await broker.Admin.CreateTopicAsync("orders", 2, cancellationToken: Ct);
        await AppendAsync(broker, new("orders", 0), 10);
        await AppendAsync(broker, new("orders", 1), 4);
        await using IGroupMembership member = broker.CreateGroupMembership(
            new ConsumerConfig { GroupId = "billing", ClientId = "billing-1" }, NullLogger.Instance);
        member.Subscribe(["orders"]);
        await member.PollAsync(new RecordingListener(() => member.Generation), Ct);
        await broker.GroupOffsets.CommitAsync("billing", member.Generation, [new(new("orders", 0), 7)], Ct);

        ConsumerGroupDescription group = await broker.Admin.DescribeConsumerGroupAsync("billing", Ct);

        Assert.Equal(ConsumerGroupState.Stable, group.State);
        Assert.Equal("range", group.PartitionAssignor);
        GroupMemberDescription only = Assert.Single(group.Members);
        Assert.Equal(("billing-1", 2), (only.ClientId, only.Assignment.Count));
        Assert.Equal(
            [
                new GroupPartitionLag("orders", 0, 7, 10, 3, only.MemberId, only.Host, "billing-1"),
                new GroupPartitionLag("orders", 1, null, 4, null, only.MemberId, only.Host, "billing-1"),
            ],
            group.Partitions);
        Assert.Equal((3L, 3L), (group.MaxLag, group.TotalLag));
        Assert.Equal([new ConsumerGroupListing("billing", ConsumerGroupState.Stable, false)], await broker.Admin.ListConsumerGroupsAsync(Ct));
    }

    [Fact]
    public async Task DescribeConsumerGroup_OnlyCommittedOffsets_IsEmptyWithLag()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct);
        await AppendAsync(broker, new("orders", 0), 5);
        await broker.GroupOffsets.CommitAsync("audit", GroupGeneration.None, [new(new("orders", 0), 2)], Ct);
        await AppendAsync(broker, new("orders", 0), 3);

        ConsumerGroupDescription group = await broker.Admin.DescribeConsumerGroupAsync("audit", Ct);
        ConsumerGroupDescription unknown = await broker.Admin.DescribeConsumerGroupAsync("nobody", Ct);

        Assert.Equal(ConsumerGroupState.Empty, group.State);
        Assert.Equal([new GroupPartitionLag("orders", 0, 2, 8, 6, null, null, null)], group.Partitions);
        Assert.Equal((ConsumerGroupState.Dead, 0, 0), (unknown.State, unknown.Members.Count, unknown.Partitions.Count));
        Assert.Equal([new ConsumerGroupListing("audit", ConsumerGroupState.Empty, true)], await broker.Admin.ListConsumerGroupsAsync(Ct));
    }

    [Fact]
    public async Task ResetOffsets_EachSpec_DryRunChangesNothingExecuteCommits()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        await using var broker = CommitLog.Broker.CreateInMemory(new BrokerOptions { TimeProvider = time });
        await broker.Admin.CreateTopicAsync("orders", 2, cancellationToken: Ct);
        await AppendAsync(broker, new("orders", 0), 10);
        await AppendAsync(broker, new("orders", 1), 6);
        await broker.GroupOffsets.CommitAsync("g", GroupGeneration.None, [new(new("orders", 0), 4)], Ct);

        async Task<long[]> Plan(OffsetResetSpec spec)
            => [.. (await broker.Admin.ResetConsumerGroupOffsetsAsync("g", spec, ["orders"], cancellationToken: Ct)).Select(c => c.NewOffset)];

        Assert.Equal(new long[] { 0L, 0L }, await Plan(OffsetResetSpec.ToEarliest));
        Assert.Equal(new long[] { 10L, 6L }, await Plan(OffsetResetSpec.ToLatest));
        var noCommit = await Assert.ThrowsAsync<ArgumentException>(async () => await Plan(OffsetResetSpec.ShiftBy(-3)));
        Assert.Contains("orders-1", noCommit.Message, StringComparison.Ordinal);   // partition 1 has no commit, as Kafka refuses
        Assert.Equal(new long[] { 5L, 5L }, await Plan(OffsetResetSpec.ToOffset(5)));
        Assert.Equal(new long[] { 10L, 6L }, await Plan(OffsetResetSpec.ToDateTime(time.GetUtcNow().AddDays(1))));
        Assert.Equal(new long[] { 0L, 0L }, await Plan(OffsetResetSpec.ToDateTime(DateTimeOffset.UnixEpoch)));
        Assert.Equal(4, broker.GroupOffsets.Fetch("g")[new("orders", 0)].Offset); // dry runs changed nothing
        async Task<long[]> Shift(long by)
            => [.. (await broker.Admin.ResetConsumerGroupOffsetsAsync("g", OffsetResetSpec.ShiftBy(by), cancellationToken: Ct)).Select(c => c.NewOffset)];
        Assert.Equal(new long[] { 1L }, await Shift(-3)); // without topics: the partitions the group committed
        Assert.Equal(new long[] { 0L }, await Shift(-100)); // clamped to the log start
        Assert.Equal(new long[] { 10L }, await Shift(100)); // clamped to the log end
        Assert.Single(broker.GroupOffsets.Fetch("g"));

        var executed = await broker.Admin.ResetConsumerGroupOffsetsAsync("g", OffsetResetSpec.ToOffset(2), ["orders"], dryRun: false, cancellationToken: Ct);

        Assert.Equal([new GroupOffsetChange(new("orders", 0), 4, 2), new GroupOffsetChange(new("orders", 1), null, 2)], executed);
        Assert.Equal([2L, 2L], broker.GroupOffsets.Fetch("g").OrderBy(p => p.Key.Partition.Value).Select(p => p.Value.Offset));
    }

    [Fact]
    public async Task ResetAndDelete_GroupWithMembers_ThrowGroupNotEmpty()
    {
        await using var broker = CommitLog.Broker.CreateInMemory(new BrokerOptions { GroupInitialRebalanceDelay = TimeSpan.Zero });
        await broker.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct);
        await using IGroupMembership member = broker.CreateGroupMembership(new ConsumerConfig { GroupId = "live" }, NullLogger.Instance);
        var listener = new RecordingListener(() => member.Generation);
        member.Subscribe(["orders"]);
        await member.PollAsync(listener, Ct);

        var reset = await Assert.ThrowsAsync<GroupNotEmptyException>(
            async () => await broker.Admin.ResetConsumerGroupOffsetsAsync("live", OffsetResetSpec.ToEarliest, ["orders"], cancellationToken: Ct));
        Assert.Contains("1 active member", reset.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<GroupNotEmptyException>(async () => await broker.Admin.DeleteConsumerGroupAsync("live", Ct));

        await member.LeaveAsync(listener, Ct);
        await broker.Admin.DeleteConsumerGroupAsync("live", Ct);
        Assert.Empty(await broker.Admin.ListConsumerGroupsAsync(Ct));
    }

    [Fact]
    public async Task DeleteConsumerGroup_RemovesOffsets_UnknownGroupThrows()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct);
        await broker.GroupOffsets.CommitAsync("g", GroupGeneration.None, [new(new("orders", 0), 0)], Ct);

        await broker.Admin.DeleteConsumerGroupAsync("g", Ct);

        Assert.Empty(broker.GroupOffsets.Fetch("g"));
        var missing = await Assert.ThrowsAsync<GroupIdNotFoundException>(async () => await broker.Admin.DeleteConsumerGroupAsync("g", Ct));
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(async () => await broker.Admin.DescribeConsumerGroupAsync("", Ct));
        await Assert.ThrowsAsync<UnknownTopicOrPartitionException>(
            async () => await broker.Admin.ResetConsumerGroupOffsetsAsync("g", OffsetResetSpec.ToEarliest, ["nope"], cancellationToken: Ct));
        Assert.Throws<ArgumentOutOfRangeException>(() => OffsetResetSpec.ToOffset(-1));
    }

    [Fact]
    public async Task Commit_StaleGeneration_IsFencedAfterARebalance()
    {
        await using var broker = CommitLog.Broker.CreateInMemory(new BrokerOptions { GroupInitialRebalanceDelay = TimeSpan.Zero });
        await broker.Admin.CreateTopicAsync("orders", 2, cancellationToken: Ct);
        await using IGroupMembership first = broker.CreateGroupMembership(new ConsumerConfig { GroupId = "g" }, NullLogger.Instance);
        var listener = new RecordingListener(() => first.Generation);
        first.Subscribe(["orders"]);
        await first.PollAsync(listener, Ct);
        GroupGeneration stale = first.Generation;
        await first.LeaveAsync(listener, Ct);

        var e = await Assert.ThrowsAsync<CommitFailedException>(
            async () => await broker.GroupOffsets.CommitAsync("g", stale, [new(new("orders", 0), 0)], Ct));

        Assert.Equal("g", e.GroupId);
        Assert.Empty(broker.GroupOffsets.Fetch("g"));
    }

    private static async Task AppendAsync(CommitLog.Broker broker, TopicPartition tp, int count)
    {
        for (int i = 0; i < count; i++)
        {
            await broker.AppendAsync(tp, CommitLog.Tests.Broker.Batches.Of($"r{i}"), Ct);
        }
    }
}

using CommitLog.Groups;
using CommitLog.Groups.Coordinator;
using CommitLog.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CommitLog.Tests.Groups;

public class StrategyListTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Members_WithDifferentLists_UseTheStrategyEveryOneSupports()
    {
        await using var broker = CommitLog.Broker.CreateInMemory(new BrokerOptions { GroupInitialRebalanceDelay = TimeSpan.FromMilliseconds(200) });
        await broker.Admin.CreateTopicAsync("orders", 4, cancellationToken: Ct);
        await using IGroupMembership a = broker.CreateGroupMembership(
            new ConsumerConfig(new Dictionary<string, string> { ["group.id"] = "g", ["partition.assignment.strategy"] = "range,roundrobin" }),
            NullLogger.Instance);
        await using IGroupMembership b = broker.CreateGroupMembership(
            new ConsumerConfig(new Dictionary<string, string> { ["group.id"] = "g", ["partition.assignment.strategy"] = "roundrobin" }),
            NullLogger.Instance);
        a.Subscribe(["orders"]);
        b.Subscribe(["orders"]);

        await Task.WhenAll(
            a.PollAsync(new RecordingListener(() => a.Generation), Ct).AsTask(),
            b.PollAsync(new RecordingListener(() => b.Generation), Ct).AsTask());

        GroupDescription group = broker.Groups.DescribeGroup("g")!;
        Assert.Equal("roundrobin", group.ProtocolName);
        Assert.Equal(2, group.Members.Count);
        Assert.Equal((2, 2), (a.Assignment.Count, b.Assignment.Count));
        Assert.Empty(a.Assignment.Intersect(b.Assignment));
    }

    [Fact]
    public async Task Member_WithNoStrategyInCommon_IsRefusedWithInconsistentGroupProtocol()
    {
        await using var broker = CommitLog.Broker.CreateInMemory(new BrokerOptions { GroupInitialRebalanceDelay = TimeSpan.Zero });
        await broker.Admin.CreateTopicAsync("orders", 2, cancellationToken: Ct);
        await using IGroupMembership first = broker.CreateGroupMembership(
            new ConsumerConfig { GroupId = "g", PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky }, NullLogger.Instance);
        first.Subscribe(["orders"]);
        await first.PollAsync(new RecordingListener(() => first.Generation), Ct);
        await using IGroupMembership second = broker.CreateGroupMembership(
            new ConsumerConfig { GroupId = "g", PartitionAssignmentStrategy = PartitionAssignmentStrategy.Range }, NullLogger.Instance);
        second.Subscribe(["orders"]);

        var e = await Assert.ThrowsAnyAsync<CommitLogException>(
            async () => await second.PollAsync(new RecordingListener(() => second.Generation), Ct));

        Assert.Equal(ErrorCode.InconsistentGroupProtocol, e.ErrorCode);
        Assert.Equal(2, first.Assignment.Count);
    }
}

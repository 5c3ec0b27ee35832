using CommitLog.Groups;
using CommitLog.Groups.Coordinator;
using CommitLog.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CommitLog.Tests.Groups;

public sealed class BrokerGroupsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateGroupMembership_InMemoryBroker_MemberGetsTheTopicsPartitions()
    {
        await using var broker = CommitLog.Broker.CreateInMemory(new BrokerOptions { GroupInitialRebalanceDelay = TimeSpan.Zero });
        await broker.Admin.CreateTopicAsync("orders", 3, cancellationToken: Ct);
        await using IGroupMembership member = broker.CreateGroupMembership(
            new ConsumerConfig { GroupId = "billing", ClientId = "billing-1" }, NullLogger.Instance);
        var listener = new RecordingListener(() => member.Generation);

        member.Subscribe(["orders"]);
        await member.PollAsync(listener, Ct);

        Assert.Equal(3, member.Assignment.Count);
        Assert.Equal(ErrorCode.None, broker.Groups.CheckCommit("billing", member.Generation));
        GroupDescription group = broker.Groups.DescribeGroup("billing")!;
        Assert.Equal(GroupState.Stable, group.State);
        Assert.Equal("billing-1", group.Members.Single().ClientId);
        Assert.Equal(3, group.Members.Single().Partitions.Count);

        await member.LeaveAsync(listener, Ct);
        Assert.Equal(GroupState.Empty, broker.Groups.DescribeGroup("billing")!.State);
        Assert.Equal(["assigned", "revoked"], listener.Events.Select(e => e.Kind));
    }

    [Fact]
    public async Task CreateGroupMembership_WithoutGroupId_ThrowsNamingTheSetting()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();

        var error = Assert.Throws<ArgumentException>(() => { _ = broker.CreateGroupMembership(new ConsumerConfig(), NullLogger.Instance); });

        Assert.Contains("group.id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BrokerOptions_GroupInitialRebalanceDelay_DefaultsToKafkasThreeSecondsAndRejectsNegative()
    {
        Assert.Equal(TimeSpan.FromSeconds(3), BrokerOptions.Default.GroupInitialRebalanceDelay);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BrokerOptions { GroupInitialRebalanceDelay = TimeSpan.FromMilliseconds(-1) });
    }
}

using System.Text.RegularExpressions;
using CommitLog.Groups;
using CommitLog.Groups.Coordinator;
using CommitLog.Storage;

namespace CommitLog.Tests.Groups;

public sealed class GroupMembershipTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Poll_TwoRangeMembers_ShareTheTopic()
    {
        await using var harness = new GroupHarness();
        harness.Topics.Set("orders", 4);
        var a = harness.Add(PartitionAssignmentStrategy.Range, ["orders"]);
        var b = harness.Add(PartitionAssignmentStrategy.Range, ["orders"]);

        Assert.True(await harness.SettleAsync(200, Ct), harness.Dump());

        Assert.Equal(2, a.Membership.Assignment.Count);
        Assert.Equal(2, b.Membership.Assignment.Count);
        Assert.Empty(a.Membership.Assignment.Intersect(b.Membership.Assignment));
        Assert.Equal(ErrorCode.None, harness.Coordinator.CheckCommit("g", a.Membership.Generation));
    }

    [Fact]
    public async Task Poll_MaxPollIntervalExceeded_LeavesThenReportsLostAndRejoins()
    {
        await using var harness = new GroupHarness();
        harness.Topics.Set("orders", 2);
        var a = harness.Add(PartitionAssignmentStrategy.Range, ["orders"]);
        Assert.True(await harness.SettleAsync(200, Ct), harness.Dump());
        GroupGeneration before = a.Membership.Generation;

        // No poll for longer than max.poll.interval.ms (4 s) while heartbeats run.
        for (int i = 0; i < 15; i++)
        {
            harness.Time.Advance(TimeSpan.FromMilliseconds(300));
        }

        Assert.Equal(GroupGeneration.None, a.Membership.Generation);
        Assert.Equal(GroupState.Empty, harness.Coordinator.DescribeGroup("g")!.State);
        Assert.NotEqual(ErrorCode.None, harness.Coordinator.CheckCommit("g", before));
        Assert.True(await harness.SettleAsync(200, Ct), harness.Dump());
        var events = a.Listener.Events.Select(e => e.Kind).ToList();
        Assert.Equal(["assigned", "lost", "assigned"], events);
        Assert.Equal(2, a.Membership.Assignment.Count);
    }

    [Fact]
    public async Task Poll_SessionTimeoutOfCrashedMember_SurvivorGetsEverything()
    {
        await using var harness = new GroupHarness();
        harness.Topics.Set("orders", 4);
        var a = harness.Add(PartitionAssignmentStrategy.RoundRobin, ["orders"]);
        var b = harness.Add(PartitionAssignmentStrategy.RoundRobin, ["orders"]);
        Assert.True(await harness.SettleAsync(200, Ct), harness.Dump());

        int seen = a.Listener.Events.Count;
        b.Membership.Abandon();
        b.Alive = false;

        Assert.True(await harness.SettleAsync(400, Ct), harness.Dump());
        Assert.Equal(4, a.Membership.Assignment.Count);
        Assert.Equal(["revoked", "assigned"], a.Listener.Events.Skip(seen).Select(e => e.Kind));
        Assert.Equal(4, a.Listener.Events[^1].Partitions.Count);
    }

    [Fact]
    public async Task Poll_TopicGrows_LeaderRebalancesAndNewPartitionsAreAssigned()
    {
        await using var harness = new GroupHarness();
        harness.Topics.Set("orders", 2);
        var a = harness.Add(PartitionAssignmentStrategy.CooperativeSticky, ["orders", "later"]);
        var b = harness.Add(PartitionAssignmentStrategy.CooperativeSticky, ["orders", "later"]);
        Assert.True(await harness.SettleAsync(200, Ct), harness.Dump());

        int seenA = a.Listener.Events.Count, seenB = b.Listener.Events.Count;
        harness.Topics.Set("orders", 4);
        harness.Topics.Set("later", 2);

        Assert.True(await harness.SettleAsync(200, Ct), harness.Dump());
        Assert.Equal(6, a.Membership.Assignment.Union(b.Membership.Assignment).Count());
        Assert.Equal(3, a.Membership.Assignment.Count);

        // Cooperative: growing topics moves nothing, so nothing is revoked.
        Assert.DoesNotContain(a.Listener.Events.Skip(seenA).Concat(b.Listener.Events.Skip(seenB)), e => e.Kind != "assigned");
    }

    [Fact]
    public async Task Poll_RegexSubscription_PicksUpNewTopics()
    {
        await using var harness = new GroupHarness();
        harness.Topics.Set("orders-eu", 1);
        harness.Topics.Set("payments", 1);
        var a = harness.Add(PartitionAssignmentStrategy.Range, []);
        a.Membership.Subscribe(new Regex("^orders-", RegexOptions.None, TimeSpan.FromSeconds(1)));
        Assert.True(await harness.SettleAsync(200, Ct), harness.Dump());
        Assert.Equal([new TopicPartition("orders-eu", 0)], a.Membership.Assignment);

        harness.Topics.Set("orders-us", 2);
        harness.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(await harness.SettleAsync(200, Ct), harness.Dump());
        Assert.Equal(3, a.Membership.Assignment.Count);
    }

    [Fact]
    public async Task Poll_CooperativeNewMember_OnlyMovingPartitionsRevokedAndOwnerKeepsTheRest()
    {
        await using var harness = new GroupHarness();
        harness.Topics.Set("orders", 6);
        var a = harness.Add(PartitionAssignmentStrategy.CooperativeSticky, ["orders"]);
        Assert.True(await harness.SettleAsync(200, Ct), harness.Dump());
        Assert.Equal(6, a.Membership.Assignment.Count);

        var b = harness.Add(PartitionAssignmentStrategy.CooperativeSticky, ["orders"]);
        Assert.True(await harness.SettleAsync(400, Ct), harness.Dump());

        var revoked = a.Listener.Events.Where(e => e.Kind == "revoked").SelectMany(e => e.Partitions).ToList();
        Assert.Equal(3, revoked.Count);
        Assert.Equal(3, a.Membership.Assignment.Count);
        Assert.Equal(revoked.Order(Comparer<TopicPartition>.Create(CommitLog.Groups.Assignors.AssignorSupport.Compare)),
            b.Membership.Assignment.Order(Comparer<TopicPartition>.Create(CommitLog.Groups.Assignors.AssignorSupport.Compare)));
        Assert.DoesNotContain(a.Listener.Events, e => e.Kind == "lost");
    }

    [Fact]
    public async Task Poll_EagerRebalance_RevokesEverythingBeforeRejoining()
    {
        await using var harness = new GroupHarness();
        harness.Topics.Set("orders", 2);
        var a = harness.Add(PartitionAssignmentStrategy.Range, ["orders"]);
        Assert.True(await harness.SettleAsync(200, Ct), harness.Dump());

        harness.Add(PartitionAssignmentStrategy.Range, ["orders"]);
        Assert.True(await harness.SettleAsync(400, Ct), harness.Dump());

        var events = a.Listener.Events;
        Assert.Equal(["assigned", "revoked", "assigned"], events.Select(e => e.Kind));
        Assert.Equal(2, events[1].Partitions.Count);
        Assert.Single(events[2].Partitions);
    }

    [Fact]
    public async Task Poll_StaticMemberFencedByNewInstance_ThrowsFencedAndReportsLost()
    {
        await using var harness = new GroupHarness();
        harness.Topics.Set("orders", 2);
        var old = harness.Add(PartitionAssignmentStrategy.Range, ["orders"], "host-1");
        Assert.True(await harness.SettleAsync(200, Ct), harness.Dump());
        int generation = old.Membership.Generation.GenerationId;

        var replacement = harness.Add(PartitionAssignmentStrategy.Range, ["orders"], "host-1");
        old.Alive = false;
        Assert.True(await harness.SettleAsync(200, Ct), harness.Dump());
        harness.Time.Advance(TimeSpan.FromMilliseconds(400));

        var error = await Assert.ThrowsAsync<CommitLogException>(() => old.Membership.PollAsync(old.Listener, Ct).AsTask());
        Assert.Equal(ErrorCode.FencedInstanceId, error.ErrorCode);
        Assert.Equal("lost", old.Listener.Events[^1].Kind);
        Assert.Equal(generation, replacement.Membership.Generation.GenerationId);
        Assert.Equal(2, replacement.Membership.Assignment.Count);
    }

    [Fact]
    public async Task Leave_RevokesThroughListenerAndOtherMemberTakesOver()
    {
        await using var harness = new GroupHarness();
        harness.Topics.Set("orders", 2);
        var a = harness.Add(PartitionAssignmentStrategy.Range, ["orders"]);
        var b = harness.Add(PartitionAssignmentStrategy.Range, ["orders"]);
        Assert.True(await harness.SettleAsync(200, Ct), harness.Dump());

        await a.Membership.LeaveAsync(a.Listener, Ct);
        a.Alive = false;

        Assert.Equal("revoked", a.Listener.Events[^1].Kind);
        Assert.Empty(a.Membership.Assignment);
        Assert.Equal(GroupGeneration.None, a.Membership.Generation);
        Assert.True(await harness.SettleAsync(200, Ct), harness.Dump());
        Assert.Equal(2, b.Membership.Assignment.Count);
    }

    [Fact]
    public async Task Poll_RebalanceOutlastsMaxPollInterval_ReturnsWhileTheJoinGoesOn()
    {
        await using var harness = new GroupHarness();
        harness.Topics.Set("orders", 2);

        // A member with long timeouts holds the group in its rebalance: it never rejoins.
        var other = await harness.Coordinator.JoinGroupAsync(
            new JoinGroupRequest("g", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), string.Empty, null, "consumer",
                [new JoinGroupProtocol("range", CommitLog.Groups.Assignors.ConsumerProtocol.EncodeSubscription(
                    CommitLog.Groups.Assignors.ConsumerSubscription.Of("orders")))]),
            Ct);
        await harness.Coordinator.SyncGroupAsync(
            new SyncGroupRequest("g", other.GenerationId, other.MemberId, null, null, null, new Dictionary<string, byte[]>()), Ct);
        var a = harness.Add(PartitionAssignmentStrategy.Range, ["orders"]);

        Task poll = a.Membership.PollAsync(a.Listener, Ct).AsTask();
        for (int i = 0; i < 39 && !poll.IsCompleted; i++)
        {
            harness.Time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(1, Ct);
        }

        Assert.False(poll.IsCompleted);
        harness.Time.Advance(TimeSpan.FromMilliseconds(200));
        await poll.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Empty(a.Membership.Assignment);
        Assert.False(a.Membership.IsJoinCompleted);
        Assert.Equal(GroupState.PreparingRebalance, harness.Coordinator.DescribeGroup("g")!.State);
    }
}

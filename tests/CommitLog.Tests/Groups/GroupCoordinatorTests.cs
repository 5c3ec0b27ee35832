using CommitLog.Groups;
using CommitLog.Groups.Assignors;
using CommitLog.Groups.Coordinator;
using CommitLog.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CommitLog.Tests.Groups;

public sealed class GroupCoordinatorTests : IDisposable
{
    private static readonly TimeSpan Session = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RebalanceTimeout = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new();
    private readonly GroupCoordinator _coordinator;

    public GroupCoordinatorTests()
    {
        _coordinator = new GroupCoordinator(_time, TimeSpan.Zero, NullLogger.Instance);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _coordinator.Dispose();

    [Fact]
    public async Task Join_FirstMember_LeadsAndGroupBecomesStable()
    {
        var a = await JoinAsync("a");

        Assert.Equal(ErrorCode.None, a.Error);
        Assert.Equal(1, a.GenerationId);
        Assert.Equal(a.MemberId, a.Leader);
        Assert.Single(a.Members);
        var sync = await SyncAsync(a, new() { [a.MemberId] = Assignment(0, 1) });
        Assert.Equal(ErrorCode.None, sync.Error);
        Assert.Equal(2, ConsumerProtocol.DecodeAssignment(sync.Assignment).Count);
        GroupDescription group = _coordinator.DescribeGroup("g")!;
        Assert.Equal(GroupState.Stable, group.State);
        Assert.Equal("range", group.ProtocolName);
        Assert.Equal("client-a", group.Members.Single().ClientId);
        Assert.Equal("in-process", group.Members.Single().ClientHost);
        Assert.Equal([new TopicPartition("t", 0), new TopicPartition("t", 1)], group.Members.Single().Partitions);
    }

    [Fact]
    public async Task Join_SecondMember_RebalanceCompletesWhenTheKnownMemberRejoins()
    {
        var a = await StableSingleAsync();
        Task<JoinGroupResponse> bJoin = JoinAsync("b").AsTask();

        Assert.Equal(ErrorCode.RebalanceInProgress, Heartbeat(a));
        Assert.False(bJoin.IsCompleted);
        var a2 = await JoinAsync("a", a.MemberId);
        var b = await bJoin;

        Assert.Equal(2, a2.GenerationId);
        Assert.Equal(2, b.GenerationId);
        Assert.Equal(a.MemberId, a2.Leader);
        Assert.Equal(2, a2.Members.Count);
        Assert.Empty(b.Members);
        Task<SyncGroupResponse> bSync = SyncAsync(b, []).AsTask();
        Assert.False(bSync.IsCompleted);
        await SyncAsync(a2, new() { [a2.MemberId] = Assignment(0), [b.MemberId] = Assignment(1) });
        Assert.Equal([new TopicPartition("t", 1)], ConsumerProtocol.DecodeAssignment((await bSync).Assignment));
    }

    [Fact]
    public async Task SessionTimeout_SilentMember_RemovedAndGroupRebalances()
    {
        var (a, b) = await StablePairAsync();

        for (int i = 0; i < 3; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(3));
            Assert.Equal(ErrorCode.None, Heartbeat(a));
        }

        _time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Equal(ErrorCode.RebalanceInProgress, Heartbeat(a));
        Assert.Equal(GroupState.PreparingRebalance, _coordinator.DescribeGroup("g")!.State);
        Assert.Equal(ErrorCode.UnknownMemberId, Heartbeat(b));
        var a2 = await JoinAsync("a", a.MemberId);
        Assert.Equal(b.GenerationId + 1, a2.GenerationId);
        Assert.Single(a2.Members);
    }

    [Fact]
    public async Task RebalanceTimeout_MemberThatDoesNotRejoin_IsDropped()
    {
        var (a, b) = await StablePairAsync();
        Task<JoinGroupResponse> cJoin = JoinAsync("c").AsTask();
        Task<JoinGroupResponse> aJoin = JoinAsync("a", a.MemberId).AsTask();

        // b keeps heartbeating (it is alive) but never rejoins.
        for (int i = 0; i < 9; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(3));
            Assert.Equal(ErrorCode.RebalanceInProgress, Heartbeat(b));
        }

        Assert.False(aJoin.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(3));
        var c = await cJoin;
        var a2 = await aJoin;

        Assert.Equal(a2.GenerationId, c.GenerationId);
        Assert.Equal([a.MemberId, c.MemberId], a2.Members.Select(m => m.MemberId).Order(StringComparer.Ordinal).ToList()
            .OrderBy(id => id == a.MemberId ? 0 : 1).ToList());
        Assert.Equal(ErrorCode.UnknownMemberId, Heartbeat(b));
    }

    [Fact]
    public async Task StaticMember_RestartsWithSameInstanceId_GetsAssignmentBackWithoutRebalance()
    {
        var a = await JoinAsync("a", instanceId: "host-1");
        var b = JoinAsync("b", instanceId: "host-2").AsTask();
        a = await JoinAsync("a", a.MemberId, instanceId: "host-1");
        var bJoined = await b;
        Task<SyncGroupResponse> bSync = SyncAsync(bJoined, [], "host-2").AsTask();
        await SyncAsync(a, new() { [a.MemberId] = Assignment(0), [bJoined.MemberId] = Assignment(1) }, "host-1");
        await bSync;
        int generation = a.GenerationId;

        // host-2 restarts: a new process joins with no member id and the same instance id.
        var restarted = await JoinAsync("b", instanceId: "host-2");

        Assert.Equal(ErrorCode.None, restarted.Error);
        Assert.Equal(generation, restarted.GenerationId);
        Assert.NotEqual(bJoined.MemberId, restarted.MemberId);
        var sync = await SyncAsync(restarted, [], "host-2");
        Assert.Equal([new TopicPartition("t", 1)], ConsumerProtocol.DecodeAssignment(sync.Assignment));
        Assert.Equal(GroupState.Stable, _coordinator.DescribeGroup("g")!.State);
        Assert.Equal(ErrorCode.None, Heartbeat(a, "host-1"));
        Assert.Equal(ErrorCode.FencedInstanceId, Heartbeat(bJoined, "host-2"));
        Assert.Equal(ErrorCode.FencedInstanceId, _coordinator.CheckCommit("g", new GroupGeneration(generation, bJoined.MemberId, "host-2")));
        Assert.Equal(ErrorCode.None, _coordinator.CheckCommit("g", new GroupGeneration(generation, restarted.MemberId, "host-2")));
    }

    [Fact]
    public async Task StaticLeader_Restarts_SkipsAssignment()
    {
        var a = await JoinAsync("a", instanceId: "host-1");
        await SyncAsync(a, new() { [a.MemberId] = Assignment(0, 1) }, "host-1");

        var restarted = await JoinAsync("a", instanceId: "host-1");

        Assert.Equal(restarted.MemberId, restarted.Leader);
        Assert.True(restarted.SkipAssignment);
        var sync = await SyncAsync(restarted, [], "host-1");
        Assert.Equal(2, ConsumerProtocol.DecodeAssignment(sync.Assignment).Count);
    }

    [Fact]
    public async Task CheckCommit_GenerationFencing_FollowsKafka()
    {
        var a = await StableSingleAsync();
        var current = new GroupGeneration(a.GenerationId, a.MemberId, null);

        Assert.Equal(ErrorCode.None, _coordinator.CheckCommit("g", current));
        Assert.Equal(ErrorCode.IllegalGeneration, _coordinator.CheckCommit("g", current with { GenerationId = a.GenerationId - 1 }));
        Assert.Equal(ErrorCode.UnknownMemberId, _coordinator.CheckCommit("g", current with { MemberId = "someone" }));
        Assert.Equal(ErrorCode.UnknownMemberId, _coordinator.CheckCommit("g", GroupGeneration.None));
        Assert.Equal(ErrorCode.None, _coordinator.CheckCommit("other", GroupGeneration.None));
        Assert.Equal(ErrorCode.IllegalGeneration, _coordinator.CheckCommit("other", current));

        // While the group prepares a rebalance the current generation may still commit (revocation callbacks do).
        Task<JoinGroupResponse> bJoin = JoinAsync("b").AsTask();
        Assert.Equal(ErrorCode.None, _coordinator.CheckCommit("g", current));
        var a2 = await JoinAsync("a", a.MemberId);
        var b = await bJoin;
        Assert.Equal(ErrorCode.RebalanceInProgress, _coordinator.CheckCommit("g", current with { GenerationId = a2.GenerationId }));
        Assert.Equal(ErrorCode.IllegalGeneration, _coordinator.CheckCommit("g", current));

        _coordinator.LeaveGroup("g", [new LeaveGroupMember(a2.MemberId, null)]);
        _coordinator.LeaveGroup("g", [new LeaveGroupMember(b.MemberId, null)]);
        Assert.Equal(GroupState.Empty, _coordinator.DescribeGroup("g")!.State);
        Assert.Equal(ErrorCode.None, _coordinator.CheckCommit("g", GroupGeneration.None));
    }

    [Fact]
    public async Task Heartbeat_StaleGenerationOrUnknownGroup_Rejected()
    {
        var a = await StableSingleAsync();

        Assert.Equal(ErrorCode.IllegalGeneration, _coordinator.Heartbeat(new HeartbeatRequest("g", a.GenerationId + 1, a.MemberId, null)));
        Assert.Equal(ErrorCode.UnknownMemberId, _coordinator.Heartbeat(new HeartbeatRequest("nope", 1, a.MemberId, null)));
    }

    [Fact]
    public async Task Join_InconsistentProtocol_Refused()
    {
        await StableSingleAsync();

        var other = await _coordinator.JoinGroupAsync(
            new JoinGroupRequest("g", Session, RebalanceTimeout, string.Empty, null, "consumer",
                [new JoinGroupProtocol("roundrobin", ConsumerProtocol.EncodeSubscription(ConsumerSubscription.Of("t")))]),
            Ct);

        Assert.Equal(ErrorCode.InconsistentGroupProtocol, other.Error);
    }

    [Fact]
    public async Task InitialRebalanceDelay_EmptyGroup_WaitsAndExtendsForJoiningMembers()
    {
        using var coordinator = new GroupCoordinator(_time, TimeSpan.FromSeconds(3), NullLogger.Instance);
        Task<JoinGroupResponse> a = JoinAsync("a", coordinator: coordinator).AsTask();
        _time.Advance(TimeSpan.FromSeconds(1));
        Task<JoinGroupResponse> b = JoinAsync("b", coordinator: coordinator).AsTask();
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.False(a.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(2.9));
        Assert.False(a.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(0.2));

        var first = await a;
        Assert.Equal(1, first.GenerationId);
        Assert.Equal(1, (await b).GenerationId);
        Assert.Equal(2, first.Members.Count);
    }

    [Fact]
    public async Task DeleteGroup_OnlyWhenEmpty_NotifiesCallback()
    {
        var a = await StableSingleAsync();
        var deleted = new List<string>();
        _coordinator.GroupDeleted = deleted.Add;

        Assert.Equal(ErrorCode.NonEmptyGroup, _coordinator.DeleteGroup("g"));
        Assert.Equal([ErrorCode.None], _coordinator.LeaveGroup("g", [new LeaveGroupMember(a.MemberId, null)]));
        Assert.Equal(new GroupListing("g", GroupState.Empty, "consumer"), _coordinator.ListGroups().Single());
        Assert.Equal(ErrorCode.None, _coordinator.DeleteGroup("g"));
        Assert.Equal(["g"], deleted);
        Assert.Empty(_coordinator.ListGroups());
        Assert.Equal(ErrorCode.GroupIdNotFound, _coordinator.DeleteGroup("g"));
        Assert.Equal(ErrorCode.None, _coordinator.DeleteGroup("offsets-only", mustExist: false));
    }

    [Fact]
    public async Task SyncTimeout_LeaderNeverSyncs_MembersRemovedAndRebalance()
    {
        var (a, b) = await StablePairAsync();
        Task<JoinGroupResponse> aJoin = JoinAsync("a", a.MemberId).AsTask();
        var b2 = await JoinAsync("b", b.MemberId);
        await aJoin;
        Task<SyncGroupResponse> bSync = SyncAsync(b2, []).AsTask();

        _time.Advance(RebalanceTimeout);

        Assert.Equal(ErrorCode.RebalanceInProgress, (await bSync).Error);
        Assert.Equal(ErrorCode.UnknownMemberId, Heartbeat(a));
    }

    [Fact]
    public async Task Dispose_WaitingJoin_AnsweredAndLaterRequestsRefused()
    {
        await StableSingleAsync();
        Task<JoinGroupResponse> waiting = JoinAsync("b").AsTask();

        _coordinator.Dispose();

        Assert.Equal(ErrorCode.UnknownMemberId, (await waiting).Error);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => JoinAsync("c").AsTask());
    }

    private static byte[] Assignment(params int[] partitions)
        => ConsumerProtocol.EncodeAssignment([.. partitions.Select(p => new TopicPartition("t", p))]);

    private ValueTask<JoinGroupResponse> JoinAsync(
        string client, string memberId = "", string? instanceId = null, GroupCoordinator? coordinator = null)
        => (coordinator ?? _coordinator).JoinGroupAsync(
            new JoinGroupRequest("g", Session, RebalanceTimeout, memberId, instanceId, "consumer",
                [new JoinGroupProtocol("range", ConsumerProtocol.EncodeSubscription(ConsumerSubscription.Of("t")))], $"client-{client}"),
            Ct);

    private ValueTask<SyncGroupResponse> SyncAsync(JoinGroupResponse join, Dictionary<string, byte[]> assignments, string? instanceId = null)
        => _coordinator.SyncGroupAsync(
            new SyncGroupRequest("g", join.GenerationId, join.MemberId, instanceId, "consumer", join.ProtocolName, assignments), Ct);

    private ErrorCode Heartbeat(JoinGroupResponse join, string? instanceId = null)
        => _coordinator.Heartbeat(new HeartbeatRequest("g", join.GenerationId, join.MemberId, instanceId));

    private async Task<JoinGroupResponse> StableSingleAsync()
    {
        var a = await JoinAsync("a");
        await SyncAsync(a, new() { [a.MemberId] = Assignment(0, 1) });
        return a;
    }

    private async Task<(JoinGroupResponse A, JoinGroupResponse B)> StablePairAsync()
    {
        var a = await StableSingleAsync();
        Task<JoinGroupResponse> bJoin = JoinAsync("b").AsTask();
        a = await JoinAsync("a", a.MemberId);
        var b = await bJoin;
        Task<SyncGroupResponse> bSync = SyncAsync(b, []).AsTask();
        await SyncAsync(a, new() { [a.MemberId] = Assignment(0), [b.MemberId] = Assignment(1) });
        await bSync;
        return (a, b);
    }
}

using System.Text.RegularExpressions;
using CommitLog.Groups;
using static CommitLog.Tests.Consumer.ConsumerTestKit;

namespace CommitLog.Tests.Consumer;

public class ConsumerSubscribeTests
{
    private static readonly TopicPartition P0 = new("t", 0);
    private static readonly TopicPartition P1 = new("t", 1);

    [Fact]
    public async Task Subscribe_GroupAssigns_ConsumesAssignedPartitionsAndCallsHandler()
    {
        await using var broker = await BrokerWithTopicAsync(partitions: 2);
        await ProduceAsync(broker, P0, 5);
        await ProduceAsync(broker, P1, 5, start: 100);
        var membership = new FakeMembership();
        membership.Assign(P0, P1);
        var assigned = new List<TopicPartition>();
        await using var consumer = Build(broker, membership, new FakeGroupOffsets(broker), Settings(groupId: "g"),
            b => b.SetPartitionsAssignedHandler((c, parts) => assigned.AddRange(parts)));

        consumer.Subscribe("t");
        var records = ConsumeRecords(consumer, 10);

        Assert.Equal(["t"], membership.Topics);
        Assert.Equal([P0, P1], assigned);
        Assert.Equal([P0, P1], consumer.Assignment);
        Assert.Equal("member-1", consumer.MemberId);
        Assert.Equal(["t"], consumer.Subscription);
        Assert.Equal(10, records.Count);
        Assert.True(membership.Polls >= 1);
    }

    [Fact]
    public async Task Revoke_AutoCommitEnabled_CommitsStoredOffsetsWithGenerationAndStopsPartition()
    {
        await using var broker = await BrokerWithTopicAsync(partitions: 2);
        await ProduceAsync(broker, P0, 5);
        var offsets = new FakeGroupOffsets(broker);
        var membership = new FakeMembership();
        membership.Assign(P0, P1);
        var revoked = new List<TopicPartition>();
        await using var consumer = Build(broker, membership, offsets, Settings(groupId: "g", autoCommit: true),
            b => b.SetPartitionsRevokedHandler(async (c, parts, ct) =>
            {
                await Task.Yield();
                revoked.AddRange(parts);
            }));
        consumer.Subscribe(["t"]);
        ConsumeRecords(consumer, 5);

        membership.Revoke(P0);
        Assert.Null(consumer.Consume(TimeSpan.FromMilliseconds(50))); // the poll runs the revoke

        Assert.Equal([P0], revoked);
        Assert.Equal([P1], consumer.Assignment);
        Assert.Equal(5, offsets.Get("g", P0));
        Assert.Contains(new GroupGeneration(1, "member-1", null), offsets.Generations);
    }

    [Fact]
    public async Task Lost_Partitions_HandlerCalledNothingCommitted()
    {
        await using var broker = await BrokerWithTopicAsync(partitions: 2);
        await ProduceAsync(broker, P0, 5);
        var offsets = new FakeGroupOffsets(broker);
        var membership = new FakeMembership();
        membership.Assign(P0);
        var lost = new List<TopicPartition>();
        await using var consumer = Build(broker, membership, offsets, Settings(groupId: "g", autoCommit: true),
            b => b.SetPartitionsLostHandler((c, parts) => lost.AddRange(parts)));
        consumer.Subscribe("t");
        ConsumeRecords(consumer, 5);

        membership.Lose(P0);
        Assert.Null(consumer.Consume(TimeSpan.FromMilliseconds(50)));

        Assert.Equal([P0], lost);
        Assert.Empty(consumer.Assignment);
        Assert.Null(offsets.Get("g", P0));
    }

    [Fact]
    public async Task Close_Subscribed_CommitsAndLeavesGroup()
    {
        await using var broker = await BrokerWithTopicAsync(partitions: 2);
        await ProduceAsync(broker, P0, 3);
        var offsets = new FakeGroupOffsets(broker);
        var membership = new FakeMembership();
        membership.Assign(P0);
        var consumer = Build(broker, membership, offsets, Settings(groupId: "g", autoCommit: true));
        consumer.Subscribe(new Regex("^t$"));
        ConsumeRecords(consumer, 3);

        consumer.Close();

        Assert.True(membership.Left);
        Assert.True(membership.Disposed);
        Assert.Equal(3, offsets.Get("g", P0));
        Assert.Throws<ObjectDisposedException>(() => consumer.Consume(TimeSpan.Zero));
    }

    [Fact]
    public async Task Unsubscribe_ThenAssign_ConsumesManuallyWithoutPollingGroup()
    {
        await using var broker = await BrokerWithTopicAsync(partitions: 2);
        await ProduceAsync(broker, P1, 2);
        var membership = new FakeMembership();
        membership.Assign(P0);
        await using var consumer = Build(broker, membership, new FakeGroupOffsets(broker), Settings(groupId: "g"));
        consumer.Subscribe("t");
        Assert.Null(consumer.Consume(TimeSpan.FromMilliseconds(20)));
        Assert.Equal([P0], consumer.Assignment);

        consumer.Unsubscribe();
        Assert.True(membership.Left);
        Assert.Empty(consumer.Assignment);
        Assert.Empty(consumer.Subscription);
        int polls = membership.Polls;
        consumer.Assign([P1]);

        Assert.Equal([0L, 1L], ConsumeRecords(consumer, 2).Select(r => r.Offset.Value));
        Assert.Equal(polls, membership.Polls);
    }

    [Fact]
    public async Task Subscribe_BadUse_ClearExceptions()
    {
        await using var broker = await BrokerWithTopicAsync();
        await using var groupless = Build(broker, new FakeMembership(), new FakeGroupOffsets(broker), Settings());
        Assert.Contains("group.id", Assert.Throws<InvalidOperationException>(() => groupless.Subscribe("t")).Message, StringComparison.Ordinal);

        await using var manual = Build(broker, new FakeMembership(), new FakeGroupOffsets(broker), Settings(groupId: "g"));
        manual.Assign([P0]);
        Assert.Contains("Unassign", Assert.Throws<InvalidOperationException>(() => manual.Subscribe("t")).Message, StringComparison.Ordinal);

        await using var subscribed = Build(broker, new FakeMembership(), new FakeGroupOffsets(broker), Settings(groupId: "g"));
        subscribed.Subscribe("t");
        Assert.Contains("Unsubscribe", Assert.Throws<InvalidOperationException>(() => subscribed.Assign([P0])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => subscribed.Subscribe(Array.Empty<string>()));

        await using var noGroup = broker.CreateConsumer<string, string>(Settings(groupId: null));
        Assert.Contains("group.id", Assert.ThrowsAny<ArgumentException>(() => noGroup.Subscribe("t")).Message, StringComparison.Ordinal);
    }

    private static IConsumer<string, string> Build(
        CommitLog.Broker broker, FakeMembership membership, IGroupOffsets offsets, ConsumerConfig config,
        Action<ConsumerBuilder<string, string>>? configure = null)
    {
        var builder = new ConsumerBuilder<string, string>(broker, config)
            .SetGroupOffsets(offsets)
            .SetGroupMembershipFactory((_, _) => membership);
        configure?.Invoke(builder);
        return builder.Build();
    }
}

/// <summary>A group membership driven by the test: queued assignment changes are delivered at the next poll.</summary>
internal sealed class FakeMembership : IGroupMembership
{
    private readonly Queue<Func<IAssignmentListener, CancellationToken, ValueTask>> _pending = new();
    private readonly List<TopicPartition> _assignment = [];

    public GroupGeneration Generation { get; } = new(1, "member-1", null);

    public IReadOnlyCollection<TopicPartition> Assignment => _assignment;

    public IReadOnlyCollection<string> Topics { get; private set; } = [];

    public int Polls { get; private set; }

    public bool Left { get; private set; }

    public bool Disposed { get; private set; }

    public void Assign(params TopicPartition[] partitions) => _pending.Enqueue((l, ct) =>
    {
        _assignment.AddRange(partitions);
        return l.OnPartitionsAssignedAsync(partitions, ct);
    });

    public void Revoke(params TopicPartition[] partitions) => _pending.Enqueue((l, ct) =>
    {
        _assignment.RemoveAll(partitions.Contains);
        return l.OnPartitionsRevokedAsync(partitions, ct);
    });

    public void Lose(params TopicPartition[] partitions) => _pending.Enqueue((l, ct) =>
    {
        _assignment.RemoveAll(partitions.Contains);
        return l.OnPartitionsLostAsync(partitions, ct);
    });

    public void Subscribe(IReadOnlyCollection<string> topics) => Topics = topics;

    public void Subscribe(Regex pattern) => Topics = ["/" + pattern + "/"];

    public async ValueTask PollAsync(IAssignmentListener listener, CancellationToken cancellationToken)
    {
        Polls++;
        while (_pending.TryDequeue(out var change))
        {
            await change(listener, cancellationToken);
        }
    }

    public async ValueTask LeaveAsync(IAssignmentListener listener, CancellationToken cancellationToken)
    {
        var revoked = _assignment.ToList();
        _assignment.Clear();
        if (revoked.Count > 0)
        {
            await listener.OnPartitionsRevokedAsync(revoked, cancellationToken);
        }

        Left = true;
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}

using System.Collections.Concurrent;
using CommitLog.Groups;
using CommitLog.Groups.Coordinator;
using CommitLog.Groups.Membership;
using Microsoft.Extensions.Time.Testing;

namespace CommitLog.Tests.Groups;

/// <summary>Topics for group members: a mutable name → partition count map.</summary>
internal sealed class TestTopics : IGroupTopicMetadata
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public void Set(string topic, int partitions) => _counts[topic] = partitions;

    public bool TryGetPartitionCount(string topic, out int count) => _counts.TryGetValue(topic, out count);

    public IReadOnlyList<string> ListTopics() => [.. _counts.Keys];
}

/// <summary>Keeps log lines for failure messages.</summary>
internal sealed class ListLogger(FakeTimeProvider time) : Microsoft.Extensions.Logging.ILogger
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(
        Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter)
        => Lines.Enqueue($"{time.GetUtcNow():mm:ss.fff} {formatter(state, exception)}");
}

/// <summary>One listener callback as a member saw it.</summary>
internal sealed record ListenerEvent(string Kind, IReadOnlyList<TopicPartition> Partitions, int GenerationId);

/// <summary>Records every listener callback and checks they never run concurrently.</summary>
internal sealed class RecordingListener(Func<GroupGeneration> generation) : IAssignmentListener
{
    private int _inside;

    public List<ListenerEvent> Events { get; } = [];

    public ValueTask OnPartitionsRevokedAsync(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken)
        => Record("revoked", partitions);

    public ValueTask OnPartitionsAssignedAsync(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken)
        => Record("assigned", partitions);

    public ValueTask OnPartitionsLostAsync(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken)
        => Record("lost", partitions);

    private ValueTask Record(string kind, IReadOnlyList<TopicPartition> partitions)
    {
        if (Interlocked.Exchange(ref _inside, 1) != 0)
        {
            throw new InvalidOperationException("Listener callbacks ran concurrently.");
        }

        lock (Events)
        {
            Events.Add(new ListenerEvent(kind, [.. partitions], generation().GenerationId));
        }

        Volatile.Write(ref _inside, 0);
        return ValueTask.CompletedTask;
    }
}

/// <summary>A coordinator, fake time and members that the test polls; <see cref="SettleAsync"/> drives them until the group is stable.</summary>
internal sealed class GroupHarness : IAsyncDisposable
{
    private int _clients;

    public GroupHarness()
    {
        Logger = new ListLogger(Time);
        Coordinator = new GroupCoordinator(Time, TimeSpan.Zero, Logger);
    }

    public ListLogger Logger { get; }

    public FakeTimeProvider Time { get; } = new();

    public GroupCoordinator Coordinator { get; }

    public TestTopics Topics { get; } = new();

    public List<Member> Members { get; } = [];

    public IEnumerable<Member> Live => Members.Where(m => m.Alive);

    public Member Add(PartitionAssignmentStrategy strategy, string[] topics, string? instanceId = null, TimeSpan? session = null)
    {
        var config = new ConsumerConfig
        {
            GroupId = "g",
            ClientId = $"c{_clients++}",
            PartitionAssignmentStrategy = strategy,
            SessionTimeoutMs = session ?? TimeSpan.FromSeconds(2),
            HeartbeatIntervalMs = TimeSpan.FromMilliseconds(300),
            MaxPollIntervalMs = TimeSpan.FromSeconds(4),
            GroupInstanceId = instanceId,
        };
        var membership = new GroupMembership(Coordinator, Topics, config, Time, Logger);
        membership.Subscribe(topics);
        var member = new Member(membership, config.ClientId) { InstanceId = instanceId };
        Members.Add(member);
        return member;
    }

    /// <summary>Polls every live member and advances time in steps until the group is stable with exactly the live members, all
    /// settled in its generation; returns false if that does not happen within <paramref name="maxSteps"/>.</summary>
    public async Task<bool> SettleAsync(int maxSteps, CancellationToken cancellationToken)
    {
        for (int step = 0; step < maxSteps; step++)
        {
            foreach (Member member in Live)
            {
                if (member.Poll is null || member.Poll.IsCompleted)
                {
                    if (member.Poll is { IsFaulted: true })
                    {
                        await member.Poll; // Surface the failure.
                    }

                    member.Poll = member.Membership.PollAsync(member.Listener, cancellationToken).AsTask();
                }
            }

            // Advance the clock only when every member is idle or waits for the coordinator, so that real-time scheduling
            // delays can never look like missed heartbeats.
            Task all = Task.WhenAll(Live.Select(m => m.Poll!));
            var quiet = System.Diagnostics.Stopwatch.StartNew();
            while (!Live.All(m => m.Membership.IsWaitingForCoordinatorOrIdle && (m.Poll!.IsCompleted || !m.Membership.IsJoinCompleted)))
            {
                if (quiet.Elapsed > TimeSpan.FromSeconds(10))
                {
                    throw new TimeoutException("Members stayed busy for 10 s of real time:" + Environment.NewLine + Dump());
                }

                await Task.Delay(1, cancellationToken);
            }

            if (all.IsCompletedSuccessfully && IsSettled())
            {
                return true;
            }

            Time.Advance(TimeSpan.FromMilliseconds(100));
        }

        return false;
    }

    /// <summary>Describes the group and the members, for failure messages.</summary>
    public string Dump()
    {
        GroupDescription? group = Coordinator.DescribeGroup("g");
        var lines = new List<string> { $"group {group?.State} gen {group?.GenerationId} members [{string.Join(", ", group?.Members.Select(m => m.MemberId) ?? [])}]" };
        foreach (Member m in Members)
        {
            lines.Add($"{m.Name} alive={m.Alive} id={m.Membership.MemberId} gen={m.Membership.Generation.GenerationId} settled={m.Membership.IsSettled} " +
                $"poll={m.Poll?.Status} assigned=[{string.Join(",", m.Membership.Assignment)}] events={string.Join(" ", m.Listener.Events.Select(e => e.Kind + e.Partitions.Count))}");
        }

        return string.Join(Environment.NewLine, lines.Concat(Logger.Lines.TakeLast(60)));
    }

    public bool IsSettled()
    {
        GroupDescription? group = Coordinator.DescribeGroup("g");
        var live = Live.ToList();
        if (group is null || group.State != GroupState.Stable && live.Count > 0)
        {
            return live.Count == 0;
        }

        var ids = group.Members.Select(m => m.MemberId).ToHashSet(StringComparer.Ordinal);
        return ids.Count == live.Count
            && live.All(m => m.Membership.IsSettled && ids.Contains(m.Membership.MemberId)
                && m.Membership.Generation.GenerationId == group.GenerationId);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (Member member in Members)
        {
            member.Membership.Abandon();
        }

        Coordinator.Dispose();
        await Task.WhenAll(Members.Select(m => m.Poll ?? Task.CompletedTask).Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
    }

    internal sealed class Member
    {
        public Member(GroupMembership membership, string name)
        {
            Membership = membership;
            Name = name;
            Listener = new RecordingListener(() => membership.Generation);
        }

        public GroupMembership Membership { get; }

        public string Name { get; }

        public RecordingListener Listener { get; }

        public bool Alive { get; set; } = true;

        public string? InstanceId { get; init; }

        public Task? Poll { get; set; }
    }
}

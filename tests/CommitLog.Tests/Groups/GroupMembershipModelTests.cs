using CommitLog.Groups.Coordinator;
using FsCheck;
using FsCheck.Fluent;

namespace CommitLog.Tests.Groups;

/// <summary>
/// Model-based tests of group membership: random histories of joins, leaves, crashes (a member stops polling and
/// heartbeating), static restarts, topic growth and clock jumps; whenever the group settles, every partition of the
/// subscribed topics belongs to exactly one live member and the coordinator's view agrees; with cooperative-sticky, a
/// partition a member keeps through a rebalance is never revoked from it.
/// Set COMMITLOG_GROUP_MODEL_TESTS=long (or a number of histories) for a longer run.
/// </summary>
public sealed class GroupMembershipModelTests
{
    private const int MaxLive = 5;

    private static int Histories => Environment.GetEnvironmentVariable("COMMITLOG_GROUP_MODEL_TESTS") switch
    {
        null or "" => 40,
        "long" => 1000,
        var n => int.Parse(n, System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public void Membership_RandomHistories_Range() => Run(PartitionAssignmentStrategy.Range);

    [Fact]
    public void Membership_RandomHistories_RoundRobin() => Run(PartitionAssignmentStrategy.RoundRobin);

    [Fact]
    public void Membership_RandomHistories_CooperativeSticky() => Run(PartitionAssignmentStrategy.CooperativeSticky);

    [Fact]
    public async Task Membership_PinnedHistory_CooperativeStickyWithCrashAndStaticRestart()
    {
        // join, join (static), join, settle, crash, restart static, grow, settle, leave, jump the clock, settle.
        string failure = await CheckHistoryAsync(PartitionAssignmentStrategy.CooperativeSticky, [0, 0x80, 1, 5, 3, 0x80 | 7, 6, 5, 2, 0x24, 5]);
        Assert.True(failure.Length == 0, failure);
    }

    private static void Run(PartitionAssignmentStrategy strategy)
    {
        Property property = Prop.ForAll(
            Arb.From(Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i)).Select(a => a.Take(12).ToArray())),
            ops => CheckHistoryAsync(strategy, ops).GetAwaiter().GetResult() is var failure && failure.Length == 0
                ? true.ToProperty()
                : false.Label(failure));
        Check.One(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(Histories), property);
    }

    /// <summary>Runs one history; returns an empty string when every invariant held, else what broke.</summary>
    private static async Task<string> CheckHistoryAsync(PartitionAssignmentStrategy strategy, byte[] ops)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using var harness = new GroupHarness();
        harness.Topics.Set("t", 5);
        harness.Topics.Set("u", 2);
        string[] topics = ["t", "u"];
        string history = $"{strategy} ops [{string.Join(",", ops)}]";
        harness.Add(strategy, topics);
        foreach (byte op in ops)
        {
            var live = harness.Live.ToList();
            int pick = op >> 3;
            switch (op % 8)
            {
                case 0 or 1 when live.Count < MaxLive:
                    harness.Add(strategy, topics, (op & 0x80) != 0 ? $"static-{pick % 3}" : null);
                    if ((op & 0x80) != 0)
                    {
                        // A static id in use means a restart: the old process dies first.
                        foreach (var old in live.Where(m => m.InstanceId == $"static-{pick % 3}"))
                        {
                            old.Membership.Abandon();
                            old.Alive = false;
                        }
                    }

                    break;
                case 2 when live.Count > 0:
                    var leaving = live[pick % live.Count];
                    await WaitForPollAsync(leaving);
                    await leaving.Membership.LeaveAsync(leaving.Listener, ct);
                    leaving.Alive = false;
                    break;
                case 3 when live.Count > 0:
                    var crashing = live[pick % live.Count];
                    crashing.Membership.Abandon();
                    crashing.Alive = false;
                    break;
                case 4:
                    harness.Time.Advance(TimeSpan.FromMilliseconds(500 * (pick % 10)));
                    break;
                case 5:
                    if (await SettleAndCheckAsync(harness, strategy, ct) is { Length: > 0 } failure)
                    {
                        return $"{history}: {failure}";
                    }

                    break;
                case 6:
                    harness.Topics.TryGetPartitionCount("t", out int count);
                    harness.Topics.Set("t", Math.Min(count + 1 + (pick % 2), 12));
                    break;
                case 7 when live.Count < MaxLive:
                    harness.Add(strategy, topics, $"static-{pick % 3}");
                    foreach (var old in live.Where(m => m.InstanceId == $"static-{pick % 3}"))
                    {
                        old.Membership.Abandon();
                        old.Alive = false;
                    }

                    break;
            }
        }

        return await SettleAndCheckAsync(harness, strategy, ct) is { Length: > 0 } last ? $"{history}: {last}" : string.Empty;
    }

    private static async Task WaitForPollAsync(GroupHarness.Member member)
    {
        if (member.Poll is { } poll)
        {
            // A leave waits for the member's own poll to finish first, as the consumer serializes them.
            var stop = TimeSpan.FromSeconds(10);
            var started = System.Diagnostics.Stopwatch.StartNew();
            while (!poll.IsCompleted && started.Elapsed < stop)
            {
                await Task.Delay(1);
            }
        }
    }

    private static async Task<string> SettleAndCheckAsync(GroupHarness harness, PartitionAssignmentStrategy strategy, CancellationToken ct)
    {
        if (!await harness.SettleAsync(1500, ct))
        {
            return "the group did not settle" + Environment.NewLine + harness.Dump();
        }

        var live = harness.Live.ToList();
        var expected = new List<TopicPartition>();
        foreach (string topic in new[] { "t", "u" })
        {
            harness.Topics.TryGetPartitionCount(topic, out int count);
            expected.AddRange(Enumerable.Range(0, count).Select(p => new TopicPartition(topic, p)));
        }

        var owned = live.SelectMany(m => m.Membership.Assignment.Select(p => (p, m.Name))).ToList();
        foreach (TopicPartition partition in expected)
        {
            int owners = owned.Count(o => o.p == partition);
            if (live.Count > 0 && owners != 1)
            {
                return $"{partition} has {owners} live owners" + Environment.NewLine + harness.Dump();
            }
        }

        if (owned.Count != (live.Count > 0 ? expected.Count : 0))
        {
            return $"{owned.Count} partitions owned, {expected.Count} exist" + Environment.NewLine + harness.Dump();
        }

        GroupDescription? group = harness.Coordinator.DescribeGroup("g");
        foreach (var member in live)
        {
            var described = group!.Members.Single(d => d.MemberId == member.Membership.MemberId).Partitions;
            if (!described.ToHashSet().SetEquals(member.Membership.Assignment))
            {
                return $"{member.Name}: the coordinator assigned [{string.Join(",", described)}], the member has " +
                    $"[{string.Join(",", member.Membership.Assignment)}]";
            }
        }

        if (strategy == PartitionAssignmentStrategy.CooperativeSticky)
        {
            foreach (var member in harness.Members)
            {
                if (RevokedThoughKept(member.Listener.Events) is { } partition)
                {
                    return $"{member.Name} had {partition} revoked and assigned straight back" + Environment.NewLine + harness.Dump();
                }
            }
        }

        return string.Empty;
    }

    /// <summary>A partition revoked and given back in the assignment that follows the revocation stayed with its owner:
    /// under the cooperative protocol it must not have been revoked.</summary>
    private static TopicPartition? RevokedThoughKept(List<ListenerEvent> events)
    {
        lock (events)
        {
            for (int i = 0; i + 1 < events.Count; i++)
            {
                if (events[i].Kind == "revoked" && events[i + 1].Kind == "assigned"
                    && events[i].Partitions.Intersect(events[i + 1].Partitions).FirstOrDefault() is { Topic: not null } back)
                {
                    return back;
                }
            }
        }

        return null;
    }
}

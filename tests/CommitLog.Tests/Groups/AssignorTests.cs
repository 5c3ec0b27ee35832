using CommitLog.Groups.Assignors;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CommitLog.Tests.Groups;

public sealed class AssignorTests
{
    private static readonly Dictionary<string, int> TwoTopicsOfThree = new() { ["t0"] = 3, ["t1"] = 3 };

    [Fact]
    public void Range_KafkaExampleTwoMembersTwoTopics_FirstMemberGetsTheLongerRanges()
    {
        var subscriptions = new Dictionary<string, ConsumerSubscription>
        {
            ["C1"] = ConsumerSubscription.Of("t0", "t1"),
            ["C0"] = ConsumerSubscription.Of("t0", "t1"),
        };

        var assignment = RangeAssignor.Instance.Assign(TwoTopicsOfThree, subscriptions);

        Assert.Equal(["t0-0", "t0-1", "t1-0", "t1-1"], Names(assignment["C0"]));
        Assert.Equal(["t0-2", "t1-2"], Names(assignment["C1"]));
    }

    [Fact]
    public void Range_StaticMembers_OrderedByInstanceId()
    {
        var subscriptions = new Dictionary<string, ConsumerSubscription>
        {
            ["a"] = new(["t0"], [], -1, "z"),
            ["b"] = new(["t0"], [], -1, "y"),
        };

        var assignment = RangeAssignor.Instance.Assign(new Dictionary<string, int> { ["t0"] = 3 }, subscriptions);

        Assert.Equal(["t0-0", "t0-1"], Names(assignment["b"]));
        Assert.Equal(["t0-2"], Names(assignment["a"]));
    }

    [Fact]
    public void RoundRobin_KafkaExampleTwoMembersTwoTopics_DealsInTurn()
    {
        var subscriptions = new Dictionary<string, ConsumerSubscription>
        {
            ["C0"] = ConsumerSubscription.Of("t0", "t1"),
            ["C1"] = ConsumerSubscription.Of("t0", "t1"),
        };

        var assignment = RoundRobinAssignor.Instance.Assign(TwoTopicsOfThree, subscriptions);

        Assert.Equal(["t0-0", "t0-2", "t1-1"], Names(assignment["C0"]));
        Assert.Equal(["t0-1", "t1-0", "t1-2"], Names(assignment["C1"]));
    }

    [Fact]
    public void RoundRobin_KafkaExampleDifferentSubscriptions_SkipsMembersNotSubscribed()
    {
        var counts = new Dictionary<string, int> { ["t0"] = 1, ["t1"] = 2, ["t2"] = 3 };
        var subscriptions = new Dictionary<string, ConsumerSubscription>
        {
            ["C0"] = ConsumerSubscription.Of("t0"),
            ["C1"] = ConsumerSubscription.Of("t0", "t1"),
            ["C2"] = ConsumerSubscription.Of("t0", "t1", "t2"),
        };

        var assignment = RoundRobinAssignor.Instance.Assign(counts, subscriptions);

        Assert.Equal(["t0-0"], Names(assignment["C0"]));
        Assert.Equal(["t1-0"], Names(assignment["C1"]));
        Assert.Equal(["t1-1", "t2-0", "t2-1", "t2-2"], Names(assignment["C2"]));
    }

    [Fact]
    public void Assign_TopicMissing_SkippedAndEveryMemberHasAnEntry()
    {
        var subscriptions = new Dictionary<string, ConsumerSubscription>
        {
            ["C0"] = ConsumerSubscription.Of("missing"),
            ["C1"] = ConsumerSubscription.Of("t0"),
        };
        var counts = new Dictionary<string, int> { ["t0"] = 2 };
        foreach (IPartitionAssignor assignor in new IPartitionAssignor[]
                 { RangeAssignor.Instance, RoundRobinAssignor.Instance, CooperativeStickyAssignor.Instance })
        {
            var assignment = assignor.Assign(counts, subscriptions);
            Assert.Empty(assignment["C0"]);
            Assert.Equal(["t0-0", "t0-1"], Names(assignment["C1"]));
        }
    }

    [Fact]
    public void CooperativeSticky_NewMember_MovingPartitionsAreWithheldForOneRebalance()
    {
        var counts = new Dictionary<string, int> { ["t"] = 4 };
        var owned = new Dictionary<string, ConsumerSubscription>
        {
            ["A"] = new(["t"], [P("t", 0), P("t", 1), P("t", 2), P("t", 3)], 1),
            ["B"] = new(["t"], [], -1),
        };

        var first = CooperativeStickyAssignor.Instance.Assign(counts, owned);

        Assert.Equal(2, first["A"].Count);
        Assert.Empty(first["B"]);
        var revoked = owned["A"].OwnedPartitions.Except(first["A"]).ToList();
        var second = CooperativeStickyAssignor.Instance.Assign(counts, new Dictionary<string, ConsumerSubscription>
        {
            ["A"] = new(["t"], first["A"], 2),
            ["B"] = new(["t"], [], 2),
        });

        Assert.Equal(first["A"], second["A"]);
        Assert.Equal(revoked.Order(Comparer<TopicPartition>.Create(AssignorSupport.Compare)), second["B"]);
    }

    [Fact]
    public void CooperativeSticky_ConflictingClaims_NewerGenerationWins()
    {
        var counts = new Dictionary<string, int> { ["t"] = 2 };
        var subscriptions = new Dictionary<string, ConsumerSubscription>
        {
            ["A"] = new(["t"], [P("t", 0), P("t", 1)], 3),
            ["B"] = new(["t"], [P("t", 0)], 2),
        };

        var assignment = StickyAssignment.Compute(counts, subscriptions);

        Assert.Contains(P("t", 0), assignment["A"].Concat(assignment["B"]));
        Assert.Single(assignment["A"]);
        Assert.Single(assignment["B"]);
    }

    [Property(MaxTest = 300)]
    public Property Sticky_SameSubscriptions_BalancedAndKeepsOwnedPartitions(PositiveInt partitionsSeed, PositiveInt membersSeed, int seed)
    {
        int partitions = (partitionsSeed.Get % 24) + 1;
        int members = (membersSeed.Get % 7) + 1;
        var random = new Random(seed);
        var counts = new Dictionary<string, int> { ["a"] = partitions, ["b"] = (partitions / 2) + 1 };
        var all = counts.SelectMany(kv => Enumerable.Range(0, kv.Value).Select(p => P(kv.Key, p))).ToList();

        // A random earlier ownership: each partition owned by one member (some members may be gone) or by nobody.
        var subscriptions = new Dictionary<string, ConsumerSubscription>();
        var owned = Enumerable.Range(0, members).ToDictionary(m => $"m{m}", _ => new List<TopicPartition>());
        foreach (TopicPartition partition in all)
        {
            int owner = random.Next(members + 2);
            if (owner < members)
            {
                owned[$"m{owner}"].Add(partition);
            }
        }

        foreach ((string member, List<TopicPartition> list) in owned)
        {
            subscriptions[member] = new ConsumerSubscription(["a", "b"], list, 5);
        }

        var assignment = StickyAssignment.Compute(counts, subscriptions);
        var sizes = assignment.Values.Select(l => l.Count).ToList();
        var flat = assignment.Values.SelectMany(l => l).ToList();
        bool exactlyOnce = flat.Count == all.Count && flat.Distinct().Count() == all.Count && all.All(flat.Contains);
        bool balanced = sizes.Max() - sizes.Min() <= 1;
        bool sticky = assignment.All(kv => kv.Value.Count(owned[kv.Key].Contains) == Math.Min(owned[kv.Key].Count, kv.Value.Count));
        return (exactlyOnce && balanced && sticky).Label($"once={exactlyOnce} balanced={balanced} sticky={sticky}");
    }

    [Property(MaxTest = 200)]
    public Property CooperativeSticky_AnyOwnership_NoPartitionGoesToANewMemberWhileOwned(PositiveInt membersSeed, int seed)
    {
        int members = (membersSeed.Get % 5) + 1;
        var random = new Random(seed);
        var counts = new Dictionary<string, int> { ["t"] = random.Next(1, 13) };
        // Each partition has at most one owner (members.Count means: owned by a member that is gone).
        int[] owner = [.. Enumerable.Range(0, counts["t"]).Select(_ => random.Next(members + 1))];
        var subscriptions = Enumerable.Range(0, members).ToDictionary(
            m => $"m{m}",
            m => new ConsumerSubscription(["t"], [.. Enumerable.Range(0, counts["t"]).Where(p => owner[p] == m).Select(p => P("t", p))], 4));

        var assignment = CooperativeStickyAssignor.Instance.Assign(counts, subscriptions);

        bool safe = assignment.All(kv => kv.Value.All(p =>
            subscriptions.All(s => s.Key == kv.Key || !s.Value.OwnedPartitions.Contains(p))));
        bool keepsOwn = assignment.All(kv => kv.Value.Count(subscriptions[kv.Key].OwnedPartitions.Contains) <= subscriptions[kv.Key].OwnedPartitions.Count);
        var flat = assignment.Values.SelectMany(l => l).ToList();
        return (safe && keepsOwn && flat.Distinct().Count() == flat.Count).ToProperty();
    }

    [Fact]
    public void ConsumerProtocol_SubscriptionAndAssignment_RoundTrip()
    {
        var subscription = new ConsumerSubscription(["orders", "payments"], [P("orders", 2), P("payments", 0), P("orders", 1)], 7);

        var decoded = ConsumerProtocol.DecodeSubscription(ConsumerProtocol.EncodeSubscription(subscription), "static-1");
        var assignment = ConsumerProtocol.DecodeAssignment(ConsumerProtocol.EncodeAssignment([P("b", 1), P("a", 0)]));

        Assert.Equal(subscription.Topics, decoded.Topics);
        Assert.Equal([P("orders", 1), P("orders", 2), P("payments", 0)], decoded.OwnedPartitions);
        Assert.Equal(7, decoded.GenerationId);
        Assert.Equal("static-1", decoded.GroupInstanceId);
        Assert.Equal([P("a", 0), P("b", 1)], assignment);
        Assert.Empty(ConsumerProtocol.DecodeAssignment([]));
    }

    [Fact]
    public void ConsumerProtocol_TruncatedSubscription_ThrowsFormatException()
    {
        byte[] bytes = ConsumerProtocol.EncodeSubscription(ConsumerSubscription.Of("orders"));

        var error = Assert.Throws<FormatException>(() => ConsumerProtocol.DecodeSubscription(bytes.AsSpan(0, bytes.Length - 3)));
        Assert.Contains("expected", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConsumerProtocol_Version0Subscription_ReadsTopicsOnly()
    {
        // int16 version 0, one topic "t", null user data.
        byte[] v0 = [0, 0, 0, 0, 0, 1, 0, 1, (byte)'t', 0xFF, 0xFF, 0xFF, 0xFF];

        var decoded = ConsumerProtocol.DecodeSubscription(v0);

        Assert.Equal(["t"], decoded.Topics);
        Assert.Empty(decoded.OwnedPartitions);
        Assert.Equal(-1, decoded.GenerationId);
    }

    internal static TopicPartition P(string topic, int partition) => new(topic, partition);

    private static List<string> Names(IEnumerable<TopicPartition> partitions) => [.. partitions.Select(p => p.ToString())];
}

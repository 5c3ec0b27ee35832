using System.Text;

namespace CommitLog.Tests.Partitioning;

/// <summary>Our partitioners against the real librdkafka (Confluent.Kafka 2.16) on its mock cluster.</summary>
public class LibrdkafkaCompatibilityTests
{
    public static TheoryData<string, int> HashingPartitioners => new()
    {
        { "murmur2_random", 7 },
        { "murmur2", 12 },
        { "consistent_random", 7 },
        { "consistent", 5 },
        { "fnv1a_random", 7 },
        { "fnv1a", 10 },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(HashingPartitioners))]
    public async Task KeyedRecords_LandOnTheSamePartitionAsLibrdkafka(string name, int partitions)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string topic = $"compat-{name}";
        byte[]?[] keys = [.. Enumerable.Range(0, 200).Select(i => Encoding.UTF8.GetBytes(KeyText(i)))];
        using var cluster = new LibrdkafkaMockCluster(name);
        cluster.CreateTopic(topic, partitions);

        int[] theirs = await cluster.ProduceAsync(topic, keys, ct);

        IPartitioner ours = Partitioners.Create(Partitioners.Parse(name));
        int[] mine = [.. keys.Select(k => ours.Partition(topic, k, keyIsNull: false, partitions))];
        Assert.Equal(theirs, mine);
        Assert.True(theirs.Distinct().Count() > partitions / 2, "the keys should reach most partitions");
    }

    [Theory(Timeout = 60_000)]
    [InlineData("murmur2_random", true)]
    [InlineData("murmur2", true)]
    [InlineData("fnv1a_random", true)]
    [InlineData("fnv1a", true)]
    [InlineData("consistent", true)]
    [InlineData("consistent_random", false)]
    public async Task EmptyKeys_HashedOrSpreadAsInLibrdkafka(string name, bool hashed)
    {
        // sticky.partitioning.linger.ms=0 makes librdkafka pick a random partition for every unhashed record, so
        // "spread over several partitions" shows a key was not hashed.
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var cluster = new LibrdkafkaMockCluster(name, [new("sticky.partitioning.linger.ms", "0")]);
        cluster.CreateTopic("empty", 6);
        int[] theirs = await cluster.ProduceAsync("empty", [.. Enumerable.Range(0, 40).Select(_ => Array.Empty<byte>())], ct);

        int[] ours = PartitionSpread(Partitioners.Parse(name), keyIsNull: false, 40, 6);
        if (hashed)
        {
            Assert.Single(theirs.Distinct());
            Assert.Equal(theirs, ours);
        }
        else
        {
            Assert.True(theirs.Distinct().Count() > 1, $"librdkafka: {string.Join(",", theirs)}");
            Assert.True(ours.Distinct().Count() > 1, $"ours: {string.Join(",", ours)}");
        }
    }

    [Theory(Timeout = 60_000)]
    [InlineData("murmur2_random", false)]
    [InlineData("fnv1a_random", false)]
    [InlineData("consistent_random", false)]
    [InlineData("consistent", true)]
    public async Task NullKeys_PartitionZeroOnlyForConsistent(string name, bool allOnZero)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var cluster = new LibrdkafkaMockCluster(name, [new("sticky.partitioning.linger.ms", "0")]);
        cluster.CreateTopic("nulls", 6);
        int[] theirs = await cluster.ProduceAsync("nulls", [.. Enumerable.Repeat<byte[]?>(null, 40)], ct);

        int[] ours = PartitionSpread(Partitioners.Parse(name), keyIsNull: true, 40, 6);
        if (allOnZero)
        {
            Assert.All(theirs, p => Assert.Equal(0, p));
            Assert.All(ours, p => Assert.Equal(0, p));
        }
        else
        {
            Assert.True(theirs.Distinct().Count() > 1, $"librdkafka: {string.Join(",", theirs)}");
            Assert.True(ours.Distinct().Count() > 1, $"ours: {string.Join(",", ours)}");
        }
    }

    private static string KeyText(int i) => i % 3 == 0 ? $"user-{i}" : $"k{i}-{new string('x', i % 17)}";

    /// <summary>Partitions of records with empty or null keys, where each record fills a sticky batch (the closest match to linger
    /// 0).</summary>
    private static int[] PartitionSpread(PartitionerKind kind, bool keyIsNull, int count, int partitions)
    {
        IPartitioner partitioner = Partitioners.Create(kind, stickyBatchSize: 1, PartitionRandom.FromSeed(1));
        var result = new int[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = partitioner.Partition("t", default, keyIsNull, partitions);
            (partitioner as IPartitionerFeedback)?.OnAppended("t", result[i], 1);
        }

        return result;
    }
}

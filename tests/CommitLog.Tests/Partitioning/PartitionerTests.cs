using System.Text;

namespace CommitLog.Tests.Partitioning;

public class PartitionerTests
{
    private const string Topic = "orders";

    public static TheoryData<PartitionerKind> AllKinds => [.. Enum.GetValues<PartitionerKind>()];

    [Theory]
    [InlineData(PartitionerKind.Murmur2Random)]
    [InlineData(PartitionerKind.Murmur2)]
    public void Murmur2Kinds_Key_UseJavaFormula(PartitionerKind kind)
    {
        IPartitioner partitioner = Partitioners.Create(kind);
        foreach (string key in new[] { "21", "foobar", "abc", "user-42", "" })
        {
            byte[] bytes = Encoding.UTF8.GetBytes(key);
            int expected = (KeyHash.Murmur2(bytes) & 0x7fffffff) % 7;
            Assert.Equal(expected, partitioner.Partition(Topic, bytes, keyIsNull: false, 7));
        }
    }

    [Fact]
    public void Murmur2_KafkaVectorKeys_LandOnPrecomputedPartitions()
    {
        // (murmur2 & 0x7fffffff) % 10 of the KAFKA-FORMAT vectors: -973932308 -> 1173551340 % 10 = 0, etc.
        IPartitioner partitioner = Partitioners.Create(PartitionerKind.Murmur2);
        Assert.Equal(0, partitioner.Partition(Topic, "21"u8, false, 10));
        Assert.Equal(6, partitioner.Partition(Topic, "foobar"u8, false, 10));
        Assert.Equal(7, partitioner.Partition(Topic, "abc"u8, false, 10));
    }

    [Theory]
    [InlineData(PartitionerKind.Consistent)]
    [InlineData(PartitionerKind.ConsistentRandom)]
    public void ConsistentKinds_Key_UseCrc32Modulo(PartitionerKind kind)
    {
        IPartitioner partitioner = Partitioners.Create(kind);
        foreach (string key in new[] { "a", "user-42", "123456789" })
        {
            byte[] bytes = Encoding.UTF8.GetBytes(key);
            Assert.Equal((int)(KeyHash.Crc32(bytes) % 5u), partitioner.Partition(Topic, bytes, false, 5));
        }

        Assert.Equal((int)(0xCBF43926u % 5u), partitioner.Partition(Topic, "123456789"u8, false, 5));
    }

    [Theory]
    [InlineData(PartitionerKind.Fnv1a)]
    [InlineData(PartitionerKind.Fnv1aRandom)]
    public void Fnv1aKinds_Key_UseFnv1aModulo(PartitionerKind kind)
    {
        IPartitioner partitioner = Partitioners.Create(kind);
        Assert.Equal((int)(0xd33c4e1u % 6u), partitioner.Partition(Topic, "kafka"u8, false, 6));
        Assert.Equal((int)(0x7ee3623bu % 6u), partitioner.Partition(Topic, ReadOnlySpan<byte>.Empty, false, 6));
    }

    [Fact]
    public void Consistent_NullAndEmptyKeys_AllGoToPartitionZero()
    {
        IPartitioner partitioner = Partitioners.Create(PartitionerKind.Consistent, stickyBatchSize: 1, PartitionRandom.FromSeed(1));
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(0, partitioner.Partition(Topic, default, keyIsNull: true, 8));
            Assert.Equal(0, partitioner.Partition(Topic, default, keyIsNull: false, 8));
            ((IPartitionerFeedback)partitioner).OnAppended(Topic, 0, 100);
        }
    }

    [Fact]
    public void ConsistentRandom_EmptyKey_IsStickyNotHashed()
    {
        // With stickiness every empty-key record moves on after each append; a hash would always give partition 0.
        IPartitioner partitioner = Partitioners.Create(PartitionerKind.ConsistentRandom, stickyBatchSize: 1, PartitionRandom.FromSeed(3));
        var seen = new HashSet<int>();
        for (int i = 0; i < 40; i++)
        {
            int p = partitioner.Partition(Topic, default, keyIsNull: false, 8);
            seen.Add(p);
            ((IPartitionerFeedback)partitioner).OnAppended(Topic, p, 10);
        }

        Assert.True(seen.Count > 1, $"empty keys all went to {string.Join(",", seen)}");
    }

    [Theory]
    [InlineData(PartitionerKind.Murmur2Random)]
    [InlineData(PartitionerKind.Murmur2)]
    [InlineData(PartitionerKind.Fnv1a)]
    [InlineData(PartitionerKind.Fnv1aRandom)]
    [InlineData(PartitionerKind.ConsistentRandom)]
    [InlineData(PartitionerKind.UniformSticky)]
    public void NullKey_StaysOnOnePartitionUntilBatchSizeBytes_ThenSwitches(PartitionerKind kind)
    {
        IPartitioner partitioner = Partitioners.Create(kind, stickyBatchSize: 1000, PartitionRandom.FromSeed(7));
        var feedback = (IPartitionerFeedback)partitioner;
        int first = partitioner.Partition(Topic, default, keyIsNull: true, 4);
        for (int i = 0; i < 9; i++)
        {
            feedback.OnAppended(Topic, first, 100);
            Assert.Equal(first, partitioner.Partition(Topic, default, keyIsNull: true, 4));
        }

        feedback.OnAppended(Topic, first, 100); // 1000 bytes: the batch is full
        int second = partitioner.Partition(Topic, default, keyIsNull: true, 4);
        Assert.NotEqual(first, second);
        Assert.Equal(second, partitioner.Partition(Topic, default, keyIsNull: true, 4));
    }

    [Fact]
    public void Sticky_BytesOnOtherPartitions_DoNotCount()
    {
        IPartitioner partitioner = Partitioners.Create(PartitionerKind.Murmur2Random, stickyBatchSize: 100, PartitionRandom.FromSeed(5));
        int sticky = partitioner.Partition(Topic, default, true, 3);
        var feedback = (IPartitionerFeedback)partitioner;
        feedback.OnAppended(Topic, (sticky + 1) % 3, 1000);
        feedback.OnAppended("other-topic", sticky, 1000);
        Assert.Equal(sticky, partitioner.Partition(Topic, default, true, 3));
    }

    [Fact]
    public void Sticky_IsPerTopic()
    {
        IPartitioner partitioner = Partitioners.Create(PartitionerKind.UniformSticky, stickyBatchSize: 10, PartitionRandom.FromSeed(11));
        var feedback = (IPartitionerFeedback)partitioner;
        int a = partitioner.Partition("a", default, true, 1000);
        int b = partitioner.Partition("b", default, true, 1000);
        feedback.OnAppended("a", a, 10);
        Assert.NotEqual(a, partitioner.Partition("a", default, true, 1000));
        Assert.Equal(b, partitioner.Partition("b", default, true, 1000));
    }

    [Fact]
    public void Sticky_PartitionCountShrinks_ChoosesAPartitionInRange()
    {
        IPartitioner partitioner = Partitioners.Create(PartitionerKind.UniformSticky, stickyBatchSize: 10, PartitionRandom.FromSeed(2));
        int p = 0;
        for (int i = 0; i < 100 && p < 2; i++)
        {
            p = partitioner.Partition(Topic, default, true, 100);
            ((IPartitionerFeedback)partitioner).OnAppended(Topic, p, 10);
        }

        Assert.InRange(partitioner.Partition(Topic, default, true, 2), 0, 1);
    }

    [Fact]
    public void Sticky_SinglePartition_AlwaysZero()
    {
        IPartitioner partitioner = Partitioners.Create(PartitionerKind.UniformSticky, stickyBatchSize: 1);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(0, partitioner.Partition(Topic, default, true, 1));
            ((IPartitionerFeedback)partitioner).OnAppended(Topic, 0, 5);
        }
    }

    [Fact]
    public void UniformSticky_IgnoresKeys()
    {
        IPartitioner partitioner = Partitioners.Create(PartitionerKind.UniformSticky);
        int p = partitioner.Partition(Topic, default, true, 16);
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(p, partitioner.Partition(Topic, Encoding.UTF8.GetBytes($"key-{i}"), false, 16));
        }
    }

    [Fact]
    public void RoundRobin_CyclesPerTopicIgnoringKeys()
    {
        IPartitioner partitioner = Partitioners.Create(PartitionerKind.RoundRobin);
        int[] a = [.. Enumerable.Range(0, 7).Select(_ => partitioner.Partition("a", "same"u8, false, 3))];
        int[] b = [.. Enumerable.Range(0, 2).Select(_ => partitioner.Partition("b", default, true, 3))];
        Assert.Equal([0, 1, 2, 0, 1, 2, 0], a);
        Assert.Equal([0, 1], b);
    }

    [Fact]
    public void Random_SpreadsRecordsWithTheSameKey()
    {
        IPartitioner partitioner = Partitioners.Create(PartitionerKind.Random, 16384, PartitionRandom.FromSeed(9));
        var seen = new HashSet<int>();
        for (int i = 0; i < 200; i++)
        {
            int p = partitioner.Partition(Topic, "same-key"u8, false, 4);
            Assert.InRange(p, 0, 3);
            seen.Add(p);
        }

        Assert.Equal(4, seen.Count);
    }

    [Fact]
    public void Custom_ResultIsUsed_AndOutOfRangeIsRejected()
    {
        IPartitioner partitioner = Partitioners.Custom((topic, key, isNull, count) => isNull ? count : key.Length % count);
        Assert.Equal(2, partitioner.Partition(Topic, "abcde"u8, false, 3));
        var ex = Assert.Throws<InvalidOperationException>(() => partitioner.Partition(Topic, default, true, 3));
        Assert.Contains("returned partition 3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("0 to 2", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Partition_ZeroPartitions_Throws(PartitionerKind kind) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Partitioners.Create(kind).Partition(Topic, "k"u8, false, 0));

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Name_ParsesBackToTheSameKind(PartitionerKind kind)
    {
        string name = Partitioners.GetName(kind);
        Assert.Equal(kind, Partitioners.Parse(name));
        Assert.Equal(kind, Partitioners.Parse(name.ToUpperInvariant()));
    }

    [Fact]
    public void Parse_LibrdkafkaNames_MapToKinds()
    {
        Assert.Equal(PartitionerKind.Murmur2Random, Partitioners.Parse("murmur2_random"));
        Assert.Equal(PartitionerKind.ConsistentRandom, Partitioners.Parse("consistent_random"));
        Assert.Equal(PartitionerKind.Fnv1aRandom, Partitioners.Parse("fnv1a_random"));
        Assert.Equal(PartitionerKind.Random, Partitioners.Parse("random"));
    }

    [Fact]
    public void Parse_UnknownName_ListsTheAllowedNames()
    {
        var ex = Assert.Throws<ArgumentException>(() => Partitioners.Parse("murmur3"));
        Assert.Contains("murmur3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("murmur2_random", ex.Message, StringComparison.Ordinal);
        Assert.False(Partitioners.TryParse(null, out _));
    }

    [Theory]
    [InlineData(PartitionerKind.Murmur2Random)]
    [InlineData(PartitionerKind.ConsistentRandom)]
    [InlineData(PartitionerKind.Fnv1aRandom)]
    public void Distribution_TenThousandKeys_SpreadEvenlyOverTwelvePartitions(PartitionerKind kind)
    {
        const int partitions = 12, keys = 12_000;
        IPartitioner partitioner = Partitioners.Create(kind);
        int[] counts = new int[partitions];
        for (int i = 0; i < keys; i++)
        {
            counts[partitioner.Partition(Topic, Encoding.UTF8.GetBytes($"customer-{i}"), false, partitions)]++;
        }

        // Expected 1000 each; a fair hash stays within ~3 standard deviations (±95); allow ±15%.
        Assert.All(counts, c => Assert.InRange(c, 850, 1150));
    }

    [Fact]
    public void Sticky_ManyBatches_SpreadEvenly()
    {
        IPartitioner partitioner = Partitioners.Create(PartitionerKind.UniformSticky, stickyBatchSize: 100, PartitionRandom.FromSeed(42));
        var feedback = (IPartitionerFeedback)partitioner;
        int[] counts = new int[5];
        for (int i = 0; i < 50_000; i++)
        {
            int p = partitioner.Partition(Topic, default, true, 5);
            counts[p]++;
            feedback.OnAppended(Topic, p, 10);
        }

        Assert.All(counts, c => Assert.InRange(c, 8_500, 11_500));
    }

    [Fact]
    public async Task Sticky_ConcurrentSends_AlwaysReturnPartitionsInRange()
    {
        IPartitioner partitioner = Partitioners.Create(PartitionerKind.Murmur2Random, stickyBatchSize: 64);
        var feedback = (IPartitionerFeedback)partitioner;
        CancellationToken ct = TestContext.Current.CancellationToken;
        Task[] workers = [.. Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 20_000; i++)
            {
                int p = partitioner.Partition(Topic, default, true, 6);
                Assert.InRange(p, 0, 5);
                feedback.OnAppended(Topic, p, 16);
            }
        }, ct))];
        await Task.WhenAll(workers);
    }
}

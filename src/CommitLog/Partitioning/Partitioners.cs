namespace CommitLog;

/// <summary>Creates the built-in partitioners and converts between <see cref="PartitionerKind"/> and librdkafka's names.</summary>
public static class Partitioners
{
    /// <summary>The sticky batch size used when none is given: Kafka's default <c>batch.size</c>, 16384 bytes.</summary>
    public const int DefaultStickyBatchSize = 16384;

    private static readonly string[] Names =
        ["murmur2_random", "murmur2", "consistent", "consistent_random", "fnv1a", "fnv1a_random", "random", "round_robin",
            "uniform_sticky"];

    /// <summary>Gets every name <see cref="Parse"/> accepts, in <see cref="PartitionerKind"/> order.</summary>
    public static IReadOnlyList<string> KnownNames => Names;

    /// <summary>Creates a built-in partitioner. Each call returns a new instance with its own sticky and round-robin state.</summary>
    /// <param name="kind">Which partitioner.</param>
    /// <param name="stickyBatchSize">Bytes a sticky partition receives before records move on (the producer's <c>batch.size</c>).</param>
    /// <returns>The partitioner; thread-safe.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is undefined or <paramref name="stickyBatchSize"/> is not
    /// positive.</exception>
    public static IPartitioner Create(PartitionerKind kind, int stickyBatchSize = DefaultStickyBatchSize) =>
        Create(kind, stickyBatchSize, PartitionRandom.Shared);

    /// <summary>Wraps a function as a partitioner. A result outside [0, partition count) fails the send with an
    /// <see cref="InvalidOperationException"/>.</summary>
    /// <param name="partitioner">The function; it must be thread-safe.</param>
    /// <returns>The partitioner.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="partitioner"/> is <see langword="null"/>.</exception>
    public static IPartitioner Custom(PartitionerDelegate partitioner)
    {
        ArgumentNullException.ThrowIfNull(partitioner);
        return new CustomPartitioner(partitioner);
    }

    /// <summary>Returns librdkafka's name of a partitioner, e.g. <c>murmur2_random</c>.</summary>
    /// <param name="kind">The partitioner.</param>
    /// <returns>The name used by the <c>partitioner</c> setting.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is undefined.</exception>
    public static string GetName(PartitionerKind kind) =>
        (uint)kind < (uint)Names.Length ? Names[(int)kind] : throw new ArgumentOutOfRangeException(nameof(kind), kind,
            "Unknown partitioner kind.");

    /// <summary>Finds a partitioner by name (the <c>partitioner</c> setting); case-insensitive.</summary>
    /// <param name="name">For example <c>murmur2_random</c> or <c>consistent</c>.</param>
    /// <param name="kind">The partitioner, when found.</param>
    /// <returns><see langword="true"/> when <paramref name="name"/> names a built-in partitioner.</returns>
    public static bool TryParse(string? name, out PartitionerKind kind)
    {
        int index = name is null ? -1 : Array.FindIndex(Names, n => string.Equals(n, name.Trim(), StringComparison.OrdinalIgnoreCase));
        kind = (PartitionerKind)Math.Max(index, 0);
        return index >= 0;
    }

    /// <summary>Finds a partitioner by name (the <c>partitioner</c> setting); case-insensitive.</summary>
    /// <param name="name">For example <c>murmur2_random</c> or <c>consistent</c>.</param>
    /// <returns>The partitioner.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not one of <see cref="KnownNames"/>.</exception>
    public static PartitionerKind Parse(string name) => TryParse(name, out PartitionerKind kind)
        ? kind
        : throw new ArgumentException($"Unknown partitioner '{name}'. Allowed: {string.Join(", ", Names)}.", nameof(name));

    /// <summary>Creates a built-in partitioner with a given random source (tests pass a seeded one).</summary>
    internal static IPartitioner Create(PartitionerKind kind, int stickyBatchSize, PartitionRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stickyBatchSize);
        StickyPartitionTable Sticky() => new(stickyBatchSize, random);
        return kind switch
        {
            PartitionerKind.Murmur2Random or PartitionerKind.Murmur2 => new Murmur2Partitioner(kind, Sticky()),
            PartitionerKind.Consistent => new ConsistentPartitioner(Sticky()),
            PartitionerKind.ConsistentRandom => new ConsistentRandomPartitioner(Sticky()),
            PartitionerKind.Fnv1a or PartitionerKind.Fnv1aRandom => new Fnv1aPartitioner(kind, Sticky()),
            PartitionerKind.Random => new RandomPartitioner(random),
            PartitionerKind.RoundRobin => new RoundRobinPartitioner(),
            PartitionerKind.UniformSticky => new UniformStickyPartitioner(Sticky()),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown partitioner kind."),
        };
    }
}

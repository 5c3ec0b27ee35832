namespace CommitLog;

/// <summary>The random source of the partitioners: the shared thread-safe generator, or a seeded one for tests.</summary>
internal sealed class PartitionRandom
{
    private readonly Random? _seeded;
    private readonly Lock _gate = new();

    private PartitionRandom(Random? seeded) => _seeded = seeded;

    /// <summary>Gets the source backed by <see cref="System.Random.Shared"/>.</summary>
    public static PartitionRandom Shared { get; } = new(null);

    /// <summary>Creates a reproducible source.</summary>
    public static PartitionRandom FromSeed(int seed) => new(new Random(seed));

    /// <summary>Returns a number in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive)
    {
        if (_seeded is null)
        {
            return Random.Shared.Next(maxExclusive);
        }

        lock (_gate)
        {
            return _seeded.Next(maxExclusive);
        }
    }
}

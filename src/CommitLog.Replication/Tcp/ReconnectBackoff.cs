namespace CommitLog.Replication.Tcp;

/// <summary>Exponential backoff with "equal jitter": half the capped delay fixed, half random.</summary>
internal sealed class ReconnectBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private readonly Random _random;
    private readonly Lock _lock = new();

    public ReconnectBackoff(TimeSpan initial, TimeSpan max, Random random)
    {
        _initial = initial;
        _max = max;
        _random = random;
    }

    /// <summary>The delay before retry number <paramref name="attempt"/> (0-based).</summary>
    public TimeSpan Next(int attempt)
    {
        double exponential = _initial.Ticks * Math.Pow(2, Math.Min(attempt, 30));
        long capped = (long)Math.Min(exponential, _max.Ticks);
        double fraction;
        lock (_lock)
        {
            fraction = _random.NextDouble();
        }

        return TimeSpan.FromTicks((capped / 2) + (long)(fraction * (capped - (capped / 2))));
    }
}

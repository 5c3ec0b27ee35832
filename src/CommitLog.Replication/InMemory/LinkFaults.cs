namespace CommitLog.Replication.InMemory;

/// <summary>
/// Faults injected on one direction of a link (frames from one node to another) of an <see cref="InMemoryNetwork"/>.
/// Probabilities are drawn from the network's seeded random source, so a run replays exactly from its seed.
/// </summary>
public sealed class LinkFaults
{
    private double _drop;
    private double _duplicate;
    private double _reorder;
    private TimeSpan _delay;
    private TimeSpan _delayJitter;

    /// <summary>Probability (0 to 1) that a frame is lost.</summary>
    public double DropProbability { get => _drop; set => _drop = CheckProbability(value, nameof(DropProbability)); }

    /// <summary>Probability (0 to 1) that a frame is delivered twice.</summary>
    public double DuplicateProbability { get => _duplicate; set => _duplicate = CheckProbability(value, nameof(DuplicateProbability)); }

    /// <summary>
    /// Probability (0 to 1) that a frame is held back and delivered right after the next frame on this link
    /// (or when <see cref="InMemoryNetwork.ReleaseHeldFrames"/> is called).
    /// </summary>
    public double ReorderProbability { get => _reorder; set => _reorder = CheckProbability(value, nameof(ReorderProbability)); }

    /// <summary>Fixed delay before a frame arrives, measured on the network's <see cref="TimeProvider"/>.</summary>
    public TimeSpan Delay { get => _delay; set => _delay = CheckDuration(value, nameof(Delay)); }

    /// <summary>Extra random delay, uniform in [0, DelayJitter), added to <see cref="Delay"/> per frame.</summary>
    public TimeSpan DelayJitter { get => _delayJitter; set => _delayJitter = CheckDuration(value, nameof(DelayJitter)); }

    /// <summary>Frames lost on this link (dropped or cut by a partition).</summary>
    public long Dropped { get; internal set; }

    /// <summary>Extra copies delivered on this link.</summary>
    public long Duplicated { get; internal set; }

    /// <summary>Frames held back to be delivered out of order on this link.</summary>
    public long Reordered { get; internal set; }

    /// <summary>Whether the link is cut (see <see cref="InMemoryNetwork.Partition"/>).</summary>
    public bool IsCut { get; internal set; }

    /// <summary>Removes every fault (delays, probabilities); a cut link stays cut until healed.</summary>
    public void Clear()
    {
        _drop = _duplicate = _reorder = 0;
        _delay = _delayJitter = TimeSpan.Zero;
    }

    private static double CheckProbability(double value, string name) =>
        value is >= 0 and <= 1
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a probability between 0 and 1.");

    private static TimeSpan CheckDuration(TimeSpan value, string name) =>
        value >= TimeSpan.Zero
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be zero or positive.");
}

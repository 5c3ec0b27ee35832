using System.Diagnostics;
using System.Numerics;

namespace CommitLog.Throughput.Reporting;

/// <summary>
/// A log-linear latency histogram over <see cref="Stopwatch"/> ticks converted to nanoseconds: exact below 64 ns,
/// then 32 sub-buckets per power of two (about 3 % resolution). Recording never allocates; one histogram per
/// appender, merged at the end, so there is no contention.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 5;
    private const int Linear = 64;
    private const int Buckets = Linear + (63 - 6) * (1 << SubBucketBits);
    private static readonly double NanosPerTick = 1e9 / Stopwatch.Frequency;
    private readonly long[] _counts = new long[Buckets];

    public long Count { get; private set; }

    public void RecordTicks(long ticks) => Record((long)(ticks * NanosPerTick));

    public void Record(long nanos)
    {
        _counts[IndexOf(Math.Max(0, nanos))]++;
        Count++;
    }

    public void Merge(LatencyHistogram other)
    {
        for (var i = 0; i < Buckets; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
    }

    /// <summary>Returns the value (ns) at <paramref name="percentile"/> (0-100): the upper edge of its bucket.</summary>
    public long Percentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(percentile / 100.0 * Count);
        rank = Math.Clamp(rank, 1, Count);
        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return UpperEdge(i);
            }
        }

        return UpperEdge(Buckets - 1);
    }

    private static int IndexOf(long v)
    {
        if (v < Linear)
        {
            return (int)v;
        }

        var exponent = 63 - BitOperations.LeadingZeroCount((ulong)v);
        var mantissa = (int)((v >> (exponent - SubBucketBits)) & ((1 << SubBucketBits) - 1));
        return Linear + ((exponent - 6) << SubBucketBits) + mantissa;
    }

    private static long UpperEdge(int index)
    {
        if (index < Linear)
        {
            return index;
        }

        var exponent = ((index - Linear) >> SubBucketBits) + 6;
        var mantissa = (index - Linear) & ((1 << SubBucketBits) - 1);
        return (((long)(1 << SubBucketBits) + mantissa + 1) << (exponent - SubBucketBits)) - 1;
    }
}

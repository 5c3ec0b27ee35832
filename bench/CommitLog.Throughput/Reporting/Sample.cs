namespace CommitLog.Throughput.Reporting;

/// <summary>One measured run of one contender on one workload.</summary>
internal sealed record Sample(
    string Workload,
    string Contender,
    long Records,
    long Bytes,
    double Seconds,
    double CpuSeconds,
    long AllocatedBytes,
    LatencyHistogram? Latency = null)
{
    /// <summary>Gets or sets, for our group commit, the number of fdatasync rounds (flushes) the log ran during the run.</summary>
    public long? Flushes { get; set; }

    /// <summary>Gets or sets, for our group commit, the total time spent in those flushes, in seconds.</summary>
    public double FlushSeconds { get; set; }

    public double RecordsPerSecond => Records / Seconds;

    public double MegabytesPerSecond => Bytes / Seconds / 1e6;

    /// <summary>Gets process CPU time over wall time, in percent (200 % = both cores of a 2-core machine).</summary>
    public double CpuPercent => CpuSeconds / Seconds * 100;

    public double CpuMicrosPerRecord => CpuSeconds * 1e6 / Records;

    public double AllocatedPerRecord => (double)AllocatedBytes / Records;
}

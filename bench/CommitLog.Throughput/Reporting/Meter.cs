using System.Diagnostics;

namespace CommitLog.Throughput.Reporting;

/// <summary>
/// Measures one run: wall time, process CPU time (<see cref="Environment.CpuUsage"/>) and bytes allocated by all
/// threads (<see cref="GC.GetTotalAllocatedBytes(bool)"/>, precise). Starting and stopping allocate nothing.
/// </summary>
internal struct Meter
{
    private long _startTicks;
    private TimeSpan _startCpu;
    private long _startAllocated;

    public static Meter Start()
    {
        var meter = default(Meter);
        meter._startCpu = Environment.CpuUsage.TotalTime;
        meter._startAllocated = GC.GetTotalAllocatedBytes(precise: true);
        meter._startTicks = Stopwatch.GetTimestamp();
        return meter;
    }

    public readonly Sample Stop(string workload, string contender, long records, long bytes, LatencyHistogram? latency = null)
    {
        var elapsed = Stopwatch.GetElapsedTime(_startTicks);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - _startAllocated;
        var cpu = Environment.CpuUsage.TotalTime - _startCpu;
        return new Sample(workload, contender, records, bytes, elapsed.TotalSeconds, cpu.TotalSeconds, allocated, latency);
    }
}

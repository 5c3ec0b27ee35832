namespace CommitLog.Throughput.Workloads;

/// <summary>What one run of a workload does; the same for every contender.</summary>
/// <param name="Root">The directory under which each run gets a fresh directory.</param>
/// <param name="RecordSize">The payload size of one record in bytes.</param>
/// <param name="Records">Records per append or scan run.</param>
/// <param name="BatchBytes">Our append: the target size of one encoded batch.</param>
/// <param name="Appenders">Group commit: concurrent appenders.</param>
/// <param name="Duration">Group commit: how long a run lasts.</param>
internal sealed record WorkloadSettings(string Root, int RecordSize, long Records, int BatchBytes, int Appenders, TimeSpan Duration);

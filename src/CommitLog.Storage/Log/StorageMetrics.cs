using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CommitLog.Storage;

/// <summary>
/// The storage layer's instruments, on the meter <c>CommitLog.Storage</c>. Tagged with <c>commitlog.log</c> (the
/// partition directory name) only; never with offsets or keys.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>commitlog.append.records</term><description>records appended (counter)</description></item>
/// <item><term>commitlog.append.bytes</term><description>bytes appended (counter, By)</description></item>
/// <item><term>commitlog.flush.duration</term><description>time of one flush, all segments (histogram, s)</description></item>
/// <item><term>commitlog.flush.failures</term><description>flushes that failed (counter)</description></item>
/// <item><term>commitlog.recovery.truncated.bytes</term><description>bytes cut from torn tails by recovery (counter, By)</description></item>
/// <item><term>commitlog.segment.rolls</term><description>segments rolled (counter)</description></item>
/// <item><term>commitlog.retention.deleted.segments</term><description>segments deleted by retention (counter)</description></item>
/// <item><term>commitlog.compaction.runs</term><description>cleaner runs that rewrote segments (counter)</description></item>
/// <item><term>commitlog.compaction.records.removed</term><description>records removed by the cleaner (counter)</description></item>
/// <item><term>commitlog.compaction.bytes.reclaimed</term><description>bytes freed by the cleaner (counter, By)</description></item>
/// </list>
/// </remarks>
internal static class StorageMetrics
{
    public const string MeterName = "CommitLog.Storage";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> AppendRecords = Meter.CreateCounter<long>("commitlog.append.records", "{record}", "Records appended.");
    public static readonly Counter<long> AppendBytes = Meter.CreateCounter<long>("commitlog.append.bytes", "By", "Bytes appended.");
    public static readonly Histogram<double> FlushDuration = Meter.CreateHistogram<double>(
        "commitlog.flush.duration", "s", "Duration of one flush of a log.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1] });
    public static readonly Counter<long> FlushFailures = Meter.CreateCounter<long>("commitlog.flush.failures", "{flush}", "Flushes that failed.");
    public static readonly Counter<long> RecoveryTruncatedBytes = Meter.CreateCounter<long>("commitlog.recovery.truncated.bytes", "By", "Bytes of torn tail truncated by recovery.");
    public static readonly Counter<long> SegmentRolls = Meter.CreateCounter<long>("commitlog.segment.rolls", "{segment}", "Segments rolled.");
    public static readonly Counter<long> RetentionDeletedSegments = Meter.CreateCounter<long>("commitlog.retention.deleted.segments", "{segment}", "Segments deleted by retention.");

    public static readonly Counter<long> CompactionRuns = Meter.CreateCounter<long>("commitlog.compaction.runs", "{run}", "Cleaner runs that rewrote segments.");
    public static readonly Counter<long> CompactionRecordsRemoved = Meter.CreateCounter<long>("commitlog.compaction.records.removed", "{record}", "Records removed by the cleaner.");
    public static readonly Counter<long> CompactionBytesReclaimed = Meter.CreateCounter<long>("commitlog.compaction.bytes.reclaimed", "By", "Bytes freed by the cleaner.");

    public static TagList Tags(string logName) => new() { { "commitlog.log", logName } };
}

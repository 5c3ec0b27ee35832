using System.Diagnostics;
using CommitLog.Throughput.Reporting;

namespace CommitLog.Throughput.Workloads;

/// <summary>
/// Runs <c>appenders</c> concurrent loops, each awaiting its own durable append of one record until the time is up,
/// and records every append's latency. The same driver serves every contender.
/// </summary>
internal static class GroupCommitDriver
{
    public static async Task<Sample> RunAsync(string contender, WorkloadSettings settings, Func<int, Func<ValueTask>> createAppender)
    {
        var appenders = Enumerable.Range(0, settings.Appenders).Select(createAppender).ToArray();
        var histograms = appenders.Select(_ => new LatencyHistogram()).ToArray();
        var meter = Meter.Start();
        var deadline = Stopwatch.GetTimestamp() + (long)(settings.Duration.TotalSeconds * Stopwatch.Frequency);
        var tasks = new Task<long>[appenders.Length];
        for (var i = 0; i < appenders.Length; i++)
        {
            var append = appenders[i];
            var histogram = histograms[i];
            tasks[i] = Task.Run(async () =>
            {
                long count = 0;
                long now;
                while ((now = Stopwatch.GetTimestamp()) < deadline)
                {
                    await append().ConfigureAwait(false);
                    histogram.RecordTicks(Stopwatch.GetTimestamp() - now);
                    count++;
                }

                return count;
            });
        }

        var counts = await Task.WhenAll(tasks).ConfigureAwait(false);
        var records = counts.Sum();
        var merged = new LatencyHistogram();
        foreach (var h in histograms)
        {
            merged.Merge(h);
        }

        return meter.Stop(WorkloadName(settings), contender, records, records * settings.RecordSize, merged);
    }

    public static string WorkloadName(WorkloadSettings settings) => $"groupcommit x{settings.Appenders}, {settings.RecordSize} B";
}

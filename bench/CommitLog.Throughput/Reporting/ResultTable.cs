using System.Globalization;
using System.Text;

namespace CommitLog.Throughput.Reporting;

/// <summary>
/// Prints the samples as Markdown tables: per workload and contender the median over rounds and the range
/// (min–max) of records/s, MB/s, CPU, allocation and latency, and our median as a ratio of each other contender's.
/// </summary>
internal static class ResultTable
{
    public static string Render(IReadOnlyList<Sample> samples, IReadOnlyList<string> others)
    {
        var text = new StringBuilder();
        foreach (var workload in samples.Select(s => s.Workload).Distinct())
        {
            var rows = samples.Where(s => s.Workload == workload).GroupBy(s => s.Contender).ToList();
            var hasLatency = rows.Any(r => r.Any(s => s.Latency is not null));
            text.AppendLine(CultureInfo.InvariantCulture, $"### {workload}");
            text.Append("| contender | rounds | records/s (median) | range | MB/s | CPU % | CPU µs/record | alloc B/record |");
            text.AppendLine(hasLatency ? " p50 µs | p99 µs | p99.9 µs |" : string.Empty);
            text.Append("|---|---|---|---|---|---|---|---|");
            text.AppendLine(hasLatency ? "---|---|---|" : string.Empty);
            foreach (var row in rows)
            {
                var list = row.ToList();
                text.Append(CultureInfo.InvariantCulture,
                    $"| {row.Key} | {list.Count} | {Rate(Median(list, s => s.RecordsPerSecond))} | {Rate(list.Min(s => s.RecordsPerSecond))}–{Rate(list.Max(s => s.RecordsPerSecond))} " +
                    $"| {Median(list, s => s.MegabytesPerSecond):F0} | {Median(list, s => s.CpuPercent):F0} | {Median(list, s => s.CpuMicrosPerRecord):F3} " +
                    $"| {Median(list, s => s.AllocatedPerRecord):F1} |");
                if (hasLatency)
                {
                    text.Append(CultureInfo.InvariantCulture,
                        $" {Micros(list, 50)} | {Micros(list, 99)} | {Micros(list, 99.9)} |");
                }

                text.AppendLine();
            }

            foreach (var row in rows.Where(r => r.Any(s => s.Flushes is > 0)))
            {
                var list = row.Where(s => s.Flushes is > 0).ToList();
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"\n{row.Key}: {Median(list, s => (double)s.Records / s.Flushes!.Value):F1} records per fdatasync, " +
                    $"mean flush {Median(list, s => s.FlushSeconds / s.Flushes!.Value * 1e6):F0} µs (medians over rounds)");
            }

            AppendRatios(text, rows.ToDictionary(r => r.Key, r => Median(r.ToList(), s => s.RecordsPerSecond)), others);
            text.AppendLine();
        }

        return text.ToString();
    }

    public static double Median(IReadOnlyList<Sample> list, Func<Sample, double> value)
    {
        var sorted = list.Select(value).Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static string Rate(double perSecond) => perSecond switch
    {
        >= 1e6 => (perSecond / 1e6).ToString("F2", CultureInfo.InvariantCulture) + " M",
        >= 1e3 => (perSecond / 1e3).ToString("F1", CultureInfo.InvariantCulture) + " k",
        _ => perSecond.ToString("F0", CultureInfo.InvariantCulture),
    };

    private static string Micros(IReadOnlyList<Sample> list, double percentile)
        => (Median(list, s => s.Latency?.Percentile(percentile) ?? 0) / 1000.0).ToString("F0", CultureInfo.InvariantCulture);

    private static void AppendRatios(StringBuilder text, Dictionary<string, double> medians, IReadOnlyList<string> others)
    {
        foreach (var (ours, rate) in medians.Where(m => m.Key.StartsWith("CommitLog", StringComparison.Ordinal)))
        {
            var ratios = others.Where(medians.ContainsKey).Select(o => $"{rate / medians[o]:F2}x {o}").ToList();
            if (ratios.Count > 0)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"\n{ours}: {string.Join(", ", ratios)} (ratio of medians, records/s)");
            }
        }
    }
}

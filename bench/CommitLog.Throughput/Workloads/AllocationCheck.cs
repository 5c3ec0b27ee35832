using System.Text.Json;
using CommitLog.Storage;
using CommitLog.Throughput.Contenders;

namespace CommitLog.Throughput.Workloads;

/// <summary>
/// The quick CI check of <c>bench/allocation-budgets.json</c>: appends pre-encoded 100-record batches at the written
/// level, measures bytes allocated per append (all threads) in steady state, and fails (exit code 1) if any budget is
/// exceeded. Entries whose name starts with <c>WARN-ON-FAIL_</c> only warn.
/// Steady state means: the warm-up fills a first segment, so the log has rolled once and its index arrays have
/// reached their working size (they move from segment to segment), and the measured appends fit in the second
/// segment. A roll itself allocates a few objects (the segment and its file handles) and is not measured. Of three
/// trials the smallest counts, so that one-off runtime work cannot fail the check.
/// </summary>
internal static class AllocationCheck
{
    public const string AppendBudget = "PartitionLog.AppendAsync.Written";
    public const string DiagnosticNoIndex = "diagnostic: PartitionLog.AppendAsync.Written with IndexIntervalBytes = int.MaxValue";
    public const string EncodeAndAppendBudget = "RecordBatchBuilder.Encode+PartitionLog.AppendAsync.Written";
    private const int SegmentBytes = 64 << 20;

    public static async Task<int> RunAsync(HarnessOptions options)
    {
        var budgets = LoadBudgets(options.Budgets);
        using var dir = new BenchDirectory(options.Root, "alloc-check");
        var payload = Payload.Create(100);
        using var builder = new RecordBatchBuilder();
        await using var log = PartitionLog.Open(dir.Path, new LogOptions { SegmentBytes = SegmentBytes, RetentionCheckInterval = null });
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var batch = CommitLogContender.Encode(builder, payload, 100, timestamp).ToArray();

        var measured = new Dictionary<string, double>
        {
            [AppendBudget] = await MeasureAsync(log, batch.Length, options.Appends, () => log.AppendAsync(batch)).ConfigureAwait(false),
            [EncodeAndAppendBudget] = await MeasureAsync(log, batch.Length, options.Appends,
                () => log.AppendAsync(CommitLogContender.Encode(builder, payload, 100, timestamp))).ConfigureAwait(false),
        };

        // Diagnostic (no budget): the same appends with index entries disabled, to tell index growth from the rest.
        using (var noIndexDir = new BenchDirectory(options.Root, "alloc-check-noindex"))
        {
            await using var noIndex = PartitionLog.Open(noIndexDir.Path,
                new LogOptions { IndexIntervalBytes = int.MaxValue, SegmentBytes = SegmentBytes, RetentionCheckInterval = null });
            measured[DiagnosticNoIndex] = await MeasureAsync(noIndex, batch.Length, options.Appends, () => noIndex.AppendAsync(batch)).ConfigureAwait(false);
        }

        await ProducerAllocationCheck.MeasureAsync(options, measured).ConfigureAwait(false);

        var failed = false;
        foreach (var (name, bytes) in measured)
        {
            var key = budgets.Keys.FirstOrDefault(k => k == name || k == "WARN-ON-FAIL_" + name);
            if (key is null)
            {
                Console.WriteLine($"{name}: {bytes:F2} B/op (no budget)");
                continue;
            }

            // Below 1 B per append over thousands of appends is not a per-append allocation (the smallest object is
            // 24 B): it is the runtime's own one-off work (tiered JIT, thread-pool bookkeeping) during the run.
            var over = Math.Floor(bytes) > budgets[key];
            var warnOnly = key.StartsWith("WARN-ON-FAIL_", StringComparison.Ordinal);
            failed |= over && !warnOnly;
            Console.WriteLine($"{name}: {bytes:F2} B/op, budget {budgets[key]} B: {(over ? warnOnly ? "OVER (warning only)" : "FAIL" : "ok")}");
        }

        return failed ? 1 : 0;
    }

    private static async Task<double> MeasureAsync(PartitionLog log, int batchBytes, int appends, Func<ValueTask<AppendResult>> append)
    {
        // Warm up into a fresh segment: fill the current one until the log rolls.
        var segments = log.SegmentCount;
        while (log.SegmentCount == segments)
        {
            await append().ConfigureAwait(false);
        }

        // Measure only appends that fit in the new segment, so no roll happens while measuring. Three trials; the
        // smallest counts: an allocation made per append shows in every trial, while the runtime's own one-off work
        // (tiered JIT, timers, thread-pool bookkeeping) lands in one trial at most and would make the check flaky.
        const int Trials = 3;
        var perTrial = Math.Max(1, Math.Min(appends, (SegmentBytes / batchBytes) - 2) / Trials);
        var best = double.MaxValue;
        for (var trial = 0; trial < Trials; trial++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < perTrial; i++)
            {
                await append().ConfigureAwait(false);
            }

            best = Math.Min(best, (double)(GC.GetTotalAllocatedBytes(precise: true) - before) / perTrial);
        }

        if (log.SegmentCount != segments + 1)
        {
            throw new InvalidOperationException("The log rolled while allocations were measured; the measurement is not of steady state.");
        }

        return best;
    }

    private static Dictionary<string, double> LoadBudgets(string? path)
    {
        path ??= FindBudgets() ?? throw new FileNotFoundException("bench/allocation-budgets.json was not found above the working directory; pass --budgets PATH.");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("budgets").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetProperty("bytesPerOperation").GetDouble());
    }

    private static string? FindBudgets()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var candidate = Path.Combine(d.FullName, "bench", "allocation-budgets.json");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}

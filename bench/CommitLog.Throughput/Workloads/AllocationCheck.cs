using System.Text.Json;
using CommitLog.Storage;
using CommitLog.Throughput.Contenders;

namespace CommitLog.Throughput.Workloads;

/// <summary>
/// The quick CI check of <c>bench/allocation-budgets.json</c>: appends pre-encoded 100-record batches at the written
/// level, measures bytes allocated per append (all threads) after a warm-up, and fails (exit code 1) if any budget is
/// exceeded. Entries whose name starts with <c>WARN-ON-FAIL_</c> only warn.
/// </summary>
internal static class AllocationCheck
{
    public const string AppendBudget = "PartitionLog.AppendAsync.Written";
    public const string DiagnosticNoIndex = "diagnostic: PartitionLog.AppendAsync.Written with IndexIntervalBytes = int.MaxValue";
    public const string EncodeAndAppendBudget = "RecordBatchBuilder.Encode+PartitionLog.AppendAsync.Written";

    public static async Task<int> RunAsync(HarnessOptions options)
    {
        var budgets = LoadBudgets(options.Budgets);
        using var dir = new BenchDirectory(options.Root, "alloc-check");
        var payload = Payload.Create(100);
        using var builder = new RecordBatchBuilder();
        await using var log = PartitionLog.Open(dir.Path);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var batch = CommitLogContender.Encode(builder, payload, 100, timestamp).ToArray();

        var measured = new Dictionary<string, double>
        {
            [AppendBudget] = await MeasureAsync(options.Appends, () => log.AppendAsync(batch)).ConfigureAwait(false),
            [EncodeAndAppendBudget] = await MeasureAsync(options.Appends,
                () => log.AppendAsync(CommitLogContender.Encode(builder, payload, 100, timestamp))).ConfigureAwait(false),
        };

        // Diagnostic (no budget): the same appends with index entries disabled, to tell index growth from the rest.
        using (var noIndexDir = new BenchDirectory(options.Root, "alloc-check-noindex"))
        {
            await using var noIndex = PartitionLog.Open(noIndexDir.Path, new LogOptions { IndexIntervalBytes = int.MaxValue });
            measured[DiagnosticNoIndex] = await MeasureAsync(options.Appends, () => noIndex.AppendAsync(batch)).ConfigureAwait(false);
        }

        var failed = false;
        foreach (var (name, bytes) in measured)
        {
            var key = budgets.Keys.FirstOrDefault(k => k == name || k == "WARN-ON-FAIL_" + name);
            if (key is null)
            {
                Console.WriteLine($"{name}: {bytes:F2} B/append (no budget)");
                continue;
            }

            var over = bytes > budgets[key];
            var warnOnly = key.StartsWith("WARN-ON-FAIL_", StringComparison.Ordinal);
            failed |= over && !warnOnly;
            Console.WriteLine($"{name}: {bytes:F2} B/append, budget {budgets[key]} B: {(over ? warnOnly ? "OVER (warning only)" : "FAIL" : "ok")}");
        }

        return failed ? 1 : 0;
    }

    private static async Task<double> MeasureAsync(int appends, Func<ValueTask<AppendResult>> append)
    {
        for (var i = 0; i < Math.Min(appends, 2000); i++)
        {
            await append().ConfigureAwait(false);
        }

        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < appends; i++)
        {
            await append().ConfigureAwait(false);
        }

        return (double)(GC.GetTotalAllocatedBytes(precise: true) - before) / appends;
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

namespace CommitLog.Benchmarks;

/// <summary>
/// The benchmark categories, for <c>--anyCategories</c> / <c>--allCategories</c>. Folders mirror src:
/// <c>Format/</c> benchmarks CommitLog.Storage/Format, <c>Log/</c> benchmarks CommitLog.Storage/Log.
/// </summary>
public static class BenchmarkCategories
{
    /// <summary>Batch encoding and checksums (CPU only, no I/O).</summary>
    public const string Format = "Format";

    /// <summary>The partition log on a real temp directory (page cache and disk).</summary>
    public const string Log = "Log";

    /// <summary>Benchmarks whose allocation is budgeted in bench/allocation-budgets.json.</summary>
    public const string AllocationBudget = "AllocationBudget";
}

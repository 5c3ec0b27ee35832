using CommitLog.Throughput.Reporting;

namespace CommitLog.Throughput.Contenders;

/// <summary>A contender's log, filled once, that is then read end to end every round (hot page cache).</summary>
internal interface IScanTarget : IAsyncDisposable
{
    /// <summary>Gets the ways this target can be scanned (each becomes one row of the table).</summary>
    IReadOnlyList<string> Variants { get; }

    Sample Scan(string variant);
}

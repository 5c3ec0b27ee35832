namespace CommitLog.Replication.Tests;

/// <summary>The fuzz test measures process-wide allocations, so it runs alone.</summary>
[CollectionDefinition(nameof(TcpFuzzCollection), DisableParallelization = true)]
public sealed class TcpFuzzCollection;

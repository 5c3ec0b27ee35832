namespace CommitLog.IntegrationTests.Crash;

/// <summary>
/// Tests that run child processes, mount file systems or load the disk for seconds: they run one at a time and not
/// alongside other test classes, so their timing (and the 2-core CI machines) stay predictable.
/// </summary>
[CollectionDefinition(nameof(RealProcessCollection), DisableParallelization = true)]
public sealed class RealProcessCollection;

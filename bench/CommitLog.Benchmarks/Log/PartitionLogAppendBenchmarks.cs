using BenchmarkDotNet.Attributes;
using CommitLog.Storage;

namespace CommitLog.Benchmarks.Log;

/// <summary>
/// <see cref="PartitionLog.AppendAsync"/> at the written level (<see cref="FlushPolicy.Os"/>) on a real temp
/// directory, steady state: one pre-encoded batch appended again and again (the log rewrites its base offset).
/// Disk use is bounded by 64 MiB segments and a 256 MiB retention enforced every 1024 appends, so segment rolls and
/// retention are part of the steady state, as they are in production. The allocation budget is 0 B per append.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory(BenchmarkCategories.Log, BenchmarkCategories.AllocationBudget)]
public class PartitionLogAppendBenchmarks
{
    private string _directory = string.Empty;
    private PartitionLog _log = null!;
    private byte[] _batch = [];
    private long _appends;

    /// <summary>Records of 100 B in the batch: 1 (a small batch), 100 (~11 KB) or 600 (~65 KB).</summary>
    [Params(1, 100, 600)]
    public int Records { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"commitlog-bdn-{Environment.ProcessId}-{Records}");
        _log = PartitionLog.Open(_directory, new LogOptions
        {
            SegmentBytes = 64L << 20,
            RetentionBytes = 256L << 20,
            RetentionMs = null,
            RetentionCheckInterval = null,
        });
        var value = new byte[100];
        new Random(3).NextBytes(value);
        using var builder = new RecordBatchBuilder();
        for (var i = 0; i < Records; i++)
        {
            builder.Append(1_700_000_000_000, null, value);
        }

        _batch = builder.ToArray();
        if (Append().Result.LastOffset != Records - 1)
        {
            throw new InvalidOperationException("The first append did not get offsets 0..Records-1.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _log.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public ValueTask<AppendResult> Append()
    {
        if ((++_appends & 1023) == 0)
        {
            _log.EnforceRetention();
        }

        return _log.AppendAsync(_batch);
    }
}

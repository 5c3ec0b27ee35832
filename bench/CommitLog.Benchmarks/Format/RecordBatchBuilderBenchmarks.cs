using BenchmarkDotNet.Attributes;
using CommitLog.Storage;

namespace CommitLog.Benchmarks.Format;

/// <summary>Encoding one uncompressed batch of N 100-byte records with a reused builder (the producer's per-batch work).</summary>
[MemoryDiagnoser]
[BenchmarkCategory(BenchmarkCategories.Format, BenchmarkCategories.AllocationBudget)]
public class RecordBatchBuilderBenchmarks
{
    private readonly byte[] _value = new byte[100];
    private RecordBatchBuilder _builder = null!;

    [Params(1, 10, 100, 1000)]
    public int Records { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_value);
        _builder = new RecordBatchBuilder();
        if (Encode() < Records * 100)
        {
            throw new InvalidOperationException("The encoded batch is smaller than its payloads.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _builder.Dispose();

    [Benchmark]
    public int Encode()
    {
        _builder.Reset();
        for (var i = 0; i < Records; i++)
        {
            _builder.Append(1_700_000_000_000, null, _value);
        }

        return _builder.Build().Length;
    }
}

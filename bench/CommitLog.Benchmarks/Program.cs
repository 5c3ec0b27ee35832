using BenchmarkDotNet.Running;
using CommitLog.Benchmarks;

BenchmarkSwitcher.FromAssembly(typeof(BenchmarkCategories).Assembly).Run(args);

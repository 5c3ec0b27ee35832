using CommitLog.Throughput.Contenders;
using CommitLog.Throughput.Reporting;

namespace CommitLog.Throughput.Workloads;

/// <summary>
/// Runs the comparative workloads: one unrecorded warm-up round, then <see cref="HarnessOptions.Rounds"/> rounds in
/// which every contender runs once per workload, the order rotating from round to round so that no contender always
/// runs first (or right after another one's writeback).
/// </summary>
internal sealed class Runner(HarnessOptions options)
{
    private readonly List<Sample> _samples = [];

    public async Task AppendAsync()
    {
        var contenders = new List<(string Name, Func<WorkloadSettings, Task<Sample>> Run)>();
        if (options.Runs("commitlog"))
        {
            contenders.Add((CommitLogContender.Name, s => CommitLogContender.AppendAsync(s, preEncoded: false)));
            contenders.Add((CommitLogContender.PreEncodedName, s => CommitLogContender.AppendAsync(s, preEncoded: true)));
        }

        if (options.Runs("fasterlog"))
        {
            contenders.Add((FasterLogContender.Name, s => Task.FromResult(FasterLogContender.Append(s))));
        }

        if (options.Runs("filestream"))
        {
            contenders.Add((FileStreamContender.Name, s => Task.FromResult(FileStreamContender.Append(s))));
        }

        foreach (var size in options.Sizes)
        {
            var settings = Settings(size, appenders: 1);
            await RoundsAsync(contenders, settings, settings with { Records = Math.Max(1, settings.Records / 16) }).ConfigureAwait(false);
        }
    }

    public async Task GroupCommitAsync()
    {
        var contenders = new List<(string Name, Func<WorkloadSettings, Task<Sample>> Run)>();
        if (options.Runs("commitlog"))
        {
            contenders.Add((CommitLogContender.Name, CommitLogContender.GroupCommitAsync));
        }

        if (options.Runs("fasterlog"))
        {
            contenders.Add((FasterLogContender.Name, FasterLogContender.GroupCommitAsync));
        }

        if (options.Runs("filestream"))
        {
            contenders.Add((FileStreamContender.Name, FileStreamContender.GroupCommitAsync));
        }

        foreach (var size in options.Sizes)
        {
            foreach (var appenders in options.Appenders)
            {
                var settings = Settings(size, appenders);
                await RoundsAsync(contenders, settings, settings with { Duration = TimeSpan.FromSeconds(0.2) }).ConfigureAwait(false);
            }
        }
    }

    public async Task ScanAsync()
    {
        foreach (var size in options.Sizes)
        {
            var settings = Settings(size, appenders: 1);
            var targets = new List<IScanTarget>();
            try
            {
                Console.WriteLine($"scan {size} B: filling each contender's log with {settings.Records:N0} records");
                if (options.Runs("commitlog"))
                {
                    targets.Add(await CommitLogContender.PrepareScanAsync(settings).ConfigureAwait(false));
                }

                if (options.Runs("fasterlog"))
                {
                    targets.Add(FasterLogContender.PrepareScan(settings));
                }

                if (options.Runs("filestream"))
                {
                    targets.Add(FileStreamContender.PrepareScan(settings));
                }

                var runs = targets.SelectMany(t => t.Variants.Select(v => (Name: v, Run: (Func<WorkloadSettings, Task<Sample>>)(_ => Task.FromResult(t.Scan(v)))))).ToList();
                await RoundsAsync(runs, settings, settings).ConfigureAwait(false);
            }
            finally
            {
                foreach (var target in targets)
                {
                    await target.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Issue 4's consume throughput: our consumer and FasterLog's scan over the same record count, interleaved.</summary>
    public async Task ConsumeAsync()
    {
        foreach (var size in options.Sizes)
        {
            var settings = Settings(size, appenders: 1);
            var targets = new List<IScanTarget>();
            try
            {
                Console.WriteLine($"consume {size} B: filling each contender's log with {settings.Records:N0} records");
                if (options.Runs("commitlog"))
                {
                    targets.Add(await ConsumeWorkload.PrepareAsync(settings).ConfigureAwait(false));
                }

                if (options.Runs("fasterlog"))
                {
                    targets.Add(FasterLogContender.PrepareScan(settings));
                }

                // FasterLog's scan rows are filed under the consume heading so the table shows them side by side.
                var workload = $"consume {size} B";
                var runs = targets.SelectMany(t => t.Variants.Select(v => (Name: v, Run: (Func<WorkloadSettings, Task<Sample>>)(_ =>
                    Task.FromResult(t.Scan(v) with { Workload = workload }))))).ToList();
                await RoundsAsync(runs, settings, settings).ConfigureAwait(false);
            }
            finally
            {
                foreach (var target in targets)
                {
                    await target.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Issue 4's end-to-end latency: produce acks=1 → a tailing consumer, at a fixed rate (ours only).</summary>
    public async Task EndToEndAsync()
    {
        var settings = Settings(100, appenders: 1);
        var contenders = new List<(string Name, Func<WorkloadSettings, Task<Sample>> Run)> { (EndToEndWorkload.Name, EndToEndWorkload.RunAsync) };
        await RoundsAsync(contenders, settings, settings with { Duration = TimeSpan.FromSeconds(0.5) }).ConfigureAwait(false);
    }

    /// <summary>
    /// Issue 3's producer matrix: for every size, partition count, linger and durability, the callback and awaited
    /// producers and FasterLog's <c>Enqueue</c> on the same payloads, interleaved round by round.
    /// </summary>
    public async Task ProducerAsync()
    {
        foreach (var size in options.ProducerSizes)
        {
            var settings = Settings(size, appenders: 1);
            foreach (var flushed in options.ProducerLevels.Select(l => l == "flushed"))
            {
                foreach (var linger in options.Lingers)
                {
                    foreach (var partitions in options.Partitions)
                    {
                        var c = new ProducerCase(partitions, linger, flushed, options.InFlight);
                        var workload = ProducerWorkload.WorkloadName(settings, c);
                        var contenders = new List<(string Name, Func<WorkloadSettings, Task<Sample>> Run)>();
                        if (options.Runs("commitlog"))
                        {
                            contenders.Add((ProducerWorkload.CallbackName, st => ProducerWorkload.CallbackAsync(st, c)));
                            contenders.Add((ProducerWorkload.AsyncName, st => ProducerWorkload.AwaitedAsync(st, c)));
                        }

                        if (options.Runs("fasterlog"))
                        {
                            contenders.Add((FasterLogContender.Name, st => Task.FromResult(FasterLogContender.EnqueueFor(st, workload, ProducerWorkload.WarmUp))));
                        }

                        await RoundsAsync(contenders, settings, settings with { Duration = TimeSpan.FromSeconds(0.2) }).ConfigureAwait(false);
                    }
                }
            }
        }
    }

    public void Print()
    {
        Console.WriteLine();
        Console.WriteLine(ResultTable.Render(_samples, [FasterLogContender.Name, FileStreamContender.Name]));
    }

    private WorkloadSettings Settings(int size, int appenders)
        => new(options.Root, size, options.RecordsFor(size), options.BatchBytes, appenders, options.Duration);

    private async Task RoundsAsync(List<(string Name, Func<WorkloadSettings, Task<Sample>> Run)> contenders, WorkloadSettings settings, WorkloadSettings warmUp)
    {
        foreach (var (_, run) in contenders)
        {
            await run(warmUp).ConfigureAwait(false);
        }

        for (var round = 0; round < options.Rounds; round++)
        {
            for (var k = 0; k < contenders.Count; k++)
            {
                var (name, run) = contenders[(k + round) % contenders.Count];
                var sample = await run(settings).ConfigureAwait(false);
                if ((sample.Workload.StartsWith("scan", StringComparison.Ordinal) || sample.Workload.StartsWith("consume", StringComparison.Ordinal)) && sample.Records != settings.Records)
                {
                    throw new InvalidOperationException($"{name} scanned {sample.Records} records, expected {settings.Records}.");
                }

                _samples.Add(sample);
                Console.WriteLine($"  round {round + 1} {sample.Workload,-28} {name,-24} {ResultTable.Rate(sample.RecordsPerSecond),9} rec/s " +
                                  $"{sample.MegabytesPerSecond,7:F0} MB/s CPU {sample.CpuPercent,4:F0} % alloc {sample.AllocatedPerRecord,7:F1} B/rec" +
                                  (sample.Latency is { } l ? $" p50 {l.Percentile(50) / 1000} µs p99 {l.Percentile(99) / 1000} µs" : string.Empty) +
                                  (sample.Flushes is > 0 and var f ? $" | {(double)sample.Records / f:F1} rec/fsync, fsync mean {sample.FlushSeconds / f * 1e6:F0} µs" : string.Empty));
                GC.Collect();
            }
        }
    }
}

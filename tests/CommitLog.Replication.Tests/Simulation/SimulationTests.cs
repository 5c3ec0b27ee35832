using System.Diagnostics;

namespace CommitLog.Replication.Tests.Simulation;

/// <summary>
/// The deterministic cluster simulation over many seeds. COMMITLOG_SIM_SEEDS sets how many (default 1,000);
/// COMMITLOG_SIM_SEED replays one; COMMITLOG_SIM_FIRST_SEED moves the range.
/// </summary>
public sealed class SimulationTests(ITestOutputHelper output)
{
    [Fact]
    public void Simulation_ManySeeds_NoAcknowledgedLossNoDivergence()
    {
        var single = Environment.GetEnvironmentVariable("COMMITLOG_SIM_SEED");
        var first = int.TryParse(Environment.GetEnvironmentVariable("COMMITLOG_SIM_FIRST_SEED"), out var f) ? f : 1;
        var count = int.TryParse(Environment.GetEnvironmentVariable("COMMITLOG_SIM_SEEDS"), out var c) ? c : 1000;
        IEnumerable<int> seeds = int.TryParse(single, out var s) ? [s] : Enumerable.Range(first, count);
        var watch = Stopwatch.StartNew();
        var runs = 0;
        var failure = (string?)null;
        var slowest = (Seed: 0, Ms: -1L);
        var token = TestContext.Current.CancellationToken;
        SimThread.Run(() =>
        {
            foreach (var seed in seeds)
            {
                token.ThrowIfCancellationRequested();
                var run = new SimRun(seed);
                run.Run();
                runs++;
                if (run.HealedInMs > slowest.Ms)
                {
                    slowest = (seed, run.HealedInMs);
                }
                if (run.Violations.Count > 0)
                {
                    failure = $"Simulation seed {seed} failed:\n  {string.Join("\n  ", run.Violations.Take(10))}\n" +
                        $"Replay: COMMITLOG_SIM_SEED={seed} dotnet test --project tests/CommitLog.Replication.Tests -- --filter-method \"*Simulation_ManySeeds*\"";
                    return;
                }

                if (single is not null)
                {
                    output.WriteLine($"seed {seed}: {run.Stats}");
                }
            }
        });
        if (failure is not null)
        {
            Assert.Fail(failure);
        }

        output.WriteLine($"{runs} seeds passed in {watch.Elapsed.TotalSeconds:F1} s; slowest convergence after the faults: seed {slowest.Seed}, {slowest.Ms} ms");
    }

    /// <summary>
    /// Seeds that once found a bug, kept so it stays fixed. 8111: the leader crashed and came back in the same epoch
    /// (not fenced in between) with its high watermark reopened at 0, let a follower that had lost acknowledged
    /// records rejoin the ISR because it had reached that high watermark, and that follower was later elected: the
    /// records were lost. A follower must now reach the leader's log end at takeover. 64143: an ISR expansion whose
    /// answer did not come in time was dropped by the leader, which then moved its high watermark without the member
    /// it had proposed, and three acknowledged records were lost (found by the 100,000-seed run; it passes since the
    /// leader re-sends an unanswered change and keeps counting its members, and fails without that).
    /// </summary>
    [Theory]
    [InlineData(8111)]
    [InlineData(64143)]
    public void Simulation_RegressionSeed_NoAcknowledgedLossNoDivergence(int seed)
    {
        var run = new SimRun(seed);
        SimThread.Run(run.Run);
        Assert.True(run.Violations.Count == 0, $"Simulation seed {seed} failed:\n  {string.Join("\n  ", run.Violations.Take(10))}");
    }

    [Fact]
    public void Simulation_SameSeed_ReplaysIdentically()
    {
        var a = new SimRun(42);
        var b = new SimRun(42);
        SimThread.Run(() =>
        {
            a.Run();
            b.Run();
        });
        Assert.NotEqual("", a.Stats);
        Assert.Equal(a.Stats, b.Stats);
    }
}

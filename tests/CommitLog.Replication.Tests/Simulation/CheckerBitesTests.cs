namespace CommitLog.Replication.Tests.Simulation;

/// <summary>The simulation's checker fails runs of deliberately broken replicas: it can catch the bugs it exists for.</summary>
public sealed class CheckerBitesTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("LeaderOnlyHighWatermark")]
    [InlineData("NeverTruncate")]
    [InlineData("TruncateToHighWatermark")]
    [InlineData("HighWatermarkOneShort", "liveness")]
    public void Simulation_BrokenReplica_CheckerFailsWithinFewSeeds(string name, string? expected = null)
    {
        var bug = Enum.Parse<BrokenReplicaLog.Bug>(name);
        string? caught = null;
        SimThread.Run(() =>
        {
            for (var seed = 1; seed <= 200 && caught is null; seed++)
            {
                var run = new SimRun(seed, log => new BrokenReplicaLog(log, bug));
                run.Run();
                if (run.Violations.Count > 0)
                {
                    caught = $"{bug}: seed {seed}: {run.Violations[0]}";
                }
            }
        });
        Assert.True(caught is not null, $"No seed of 200 caught {bug}.");
        if (expected is not null)
        {
            Assert.Contains(expected, caught, StringComparison.Ordinal);
        }

        output.WriteLine(caught);
    }
}

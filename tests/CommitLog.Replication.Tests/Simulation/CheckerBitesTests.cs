namespace CommitLog.Replication.Tests.Simulation;

/// <summary>The simulation's checker fails runs of deliberately broken replicas: it can catch the bugs it exists for.</summary>
public sealed class CheckerBitesTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("LeaderOnlyHighWatermark")]
    [InlineData("NeverTruncate")]
    [InlineData("TruncateToHighWatermark")]
    public void Simulation_BrokenReplica_CheckerFailsWithinFewSeeds(string name)
    {
        var bug = Enum.Parse<BrokenReplicaLog.Bug>(name);
        for (var seed = 1; seed <= 200; seed++)
        {
            var run = new SimRun(seed, log => new BrokenReplicaLog(log, bug));
            run.Run();
            if (run.Violations.Count > 0)
            {
                output.WriteLine($"{bug}: seed {seed}: {run.Violations[0]}");
                return;
            }
        }

        Assert.Fail($"No seed of 200 caught {bug}.");
    }
}

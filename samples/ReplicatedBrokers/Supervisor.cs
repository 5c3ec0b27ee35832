using System.Diagnostics;
using System.Globalization;

namespace ReplicatedBrokers;

/// <summary>Runs the scenario: three brokers, a produce, the leader killed, a follower takes over, nothing lost.</summary>
internal static class Supervisor
{
    private const int Batch = 500;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(string? dataRoot)
    {
        dataRoot ??= Path.Combine(Path.GetTempPath(), "commitlog-replicated-" + Guid.NewGuid().ToString("N")[..8]);
        var cluster = SampleCluster.Create(dataRoot);
        var configFile = Path.Combine(dataRoot, "cluster.json");
        cluster.Save(configFile);
        Console.WriteLine($"Data in {dataRoot}. Starting 3 brokers (Raft control plane + TCP replication on loopback)...");

        var brokers = new BrokerHandle?[3];
        try
        {
            for (var i = 0; i < 3; i++)
            {
                brokers[i] = BrokerHandle.Start(i, configFile);
            }

            foreach (var broker in brokers)
            {
                await broker!.ExpectAsync("ready", Patience);
            }

            await brokers[0]!.AskAsync("create", "created", Patience);
            var status = await WaitForStatusAsync(brokers, s => s.Isr.Length == 3 && s.Leader >= 0, everyBroker: true);
            Console.WriteLine($"Topic '{SampleCluster.Topic}' created: leader broker {status.Leader}, in-sync replicas {string.Join(", ", status.Isr)}.");

            var producerBroker = (status.Leader + 1) % 3;
            var produced = await brokers[producerBroker]!.AskAsync($"produce 1 {Batch}", "produced", Patience);
            Console.WriteLine($"Broker {producerBroker} produced {Batch} payments with acks=all (forwarded to the leader): {produced}");

            var victim = status.Leader;
            Console.WriteLine($"Killing the leader, broker {victim}, with SIGKILL...");
            var killedAt = Stopwatch.StartNew();
            brokers[victim]!.Kill();
            brokers[victim] = null;

            var survivor = Enumerable.Range(0, 3).First(i => i != victim);
            produced = await brokers[survivor]!.AskAsync($"produce {Batch + 1} {Batch}", "produced", Patience);
            var failover = killedAt.Elapsed;
            status = await WaitForStatusAsync(brokers, s => s.Leader >= 0 && s.Leader != victim);
            Console.WriteLine($"Broker {status.Leader} took over (leader epoch {status.Epoch}); broker {survivor} produced {Batch} more: {produced}");
            Console.WriteLine($"First acknowledged write {failover.TotalMilliseconds:F0} ms after the kill.");

            Console.WriteLine($"Restarting broker {victim}; it catches up from where its log ends...");
            brokers[victim] = BrokerHandle.Start(victim, configFile);
            await brokers[victim]!.ExpectAsync("ready", Patience);
            status = await WaitForStatusAsync(brokers, s => s.Isr.Length == 3);
            await WaitForStatusAsync(brokers, s => s.HighWatermark == 2 * Batch, everyBroker: true);
            Console.WriteLine($"Broker {victim} is back in sync: in-sync replicas {string.Join(", ", status.Isr)}.");

            var ok = true;
            foreach (var broker in brokers)
            {
                var verdict = await broker!.AskAsync($"verify {2 * Batch}", "verify", Patience);
                Console.WriteLine("  " + verdict);
                ok &= verdict.EndsWith($"records {2 * Batch} distinct {2 * Batch} missing 0", StringComparison.Ordinal);
            }

            Console.WriteLine(ok
                ? $"Nothing lost: all {2 * Batch} acknowledged payments are on each of the 3 replicas, once."
                : "FAILED: a replica does not hold every acknowledged payment exactly once.");
            return ok ? 0 : 1;
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            Console.WriteLine($"FAILED: {e.Message}");
            return 1;
        }
        finally
        {
            foreach (var broker in brokers)
            {
                if (broker is not null)
                {
                    await broker.StopAsync();
                }
            }

            TryDelete(dataRoot);
        }
    }

    /// <summary>Polls every running broker's status until one (or each) satisfies <paramref name="condition"/>.</summary>
    private static async Task<BrokerStatus> WaitForStatusAsync(BrokerHandle?[] brokers, Func<BrokerStatus, bool> condition, bool everyBroker = false)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var statuses = new List<BrokerStatus>();
            foreach (var broker in brokers)
            {
                if (broker is not null && BrokerStatus.TryParse(await broker.AskAsync("status", "status", Patience), out var s))
                {
                    statuses.Add(s);
                }
            }

            if (everyBroker ? statuses.Count == brokers.Count(b => b is not null) && statuses.All(condition) : statuses.Any(condition))
            {
                return statuses.First(condition);
            }

            if (deadline.Elapsed > Patience)
            {
                throw new TimeoutException($"The brokers did not reach the expected state in {Patience.TotalSeconds} s; last: {string.Join(" | ", statuses)}");
            }

            await Task.Delay(200);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One status line: <c>status node N controller C leader L epoch E isr a,b hw H leo O</c>.</summary>
internal sealed record BrokerStatus(int Node, int Leader, int Epoch, int[] Isr, long HighWatermark)
{
    public static bool TryParse(string line, out BrokerStatus status)
    {
        var w = line.Split(' ');
        status = null!;
        if (w.Length < 14 || w[5] != "leader")
        {
            return false;
        }

        status = new BrokerStatus(Int(w[2]), Int(w[6]), Int(w[8]), [.. w[10].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Int)], long.Parse(w[12], CultureInfo.InvariantCulture));
        return true;
    }

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);
}

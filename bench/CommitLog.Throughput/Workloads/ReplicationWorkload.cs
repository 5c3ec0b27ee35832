using System.Diagnostics;
using CommitLog.Replication.Cluster;
using CommitLog.Replication.Control;

namespace CommitLog.Throughput.Workloads;

/// <summary>
/// Issue 5's replication figures on a <see cref="BenchCluster"/> (3 nodes, one partition, replication factor 3,
/// min.insync.replicas 2):
/// <list type="bullet">
/// <item>throughput: a producer on the leader's node sends the same records (<c>--sizes</c>[0] bytes, <c>--mb</c> per run)
/// with <c>acks=1</c> and with <c>acks=all</c>, interleaved round by round (<c>--rounds</c>, after a warm-up); fire-and-forget
/// <c>Produce</c> with a delivery handler, then <c>FlushAsync</c>; every report must be a success;</item>
/// <item>failover: <c>--cycles</c> times, the leader's node is stopped without a goodbye (its connections drop), and a
/// producer on another node sends one <c>acks=all</c> record; the time from the stop to that record's acknowledgement
/// (the producer retries until the new leader answers) is the failover time. The stopped node is started again and the
/// next cycle waits for the full ISR.</item>
/// </list>
/// </summary>
internal static class ReplicationWorkload
{
    private const string Topic = "bench";
    private const string FailoverTopic = "failover";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static async Task RunAsync(HarnessOptions options)
    {
        var size = options.Sizes[0];
        var records = (int)Math.Min(options.RecordsFor(size), 5_000_000);
        await using var cluster = new BenchCluster(Path.Combine(options.Root, "replication"), options.SessionTimeout);
        for (var i = 0; i < 3; i++)
        {
            await cluster.StartAsync(i).ConfigureAwait(false);
        }

        await cluster.WaitAsync(0, m => m.Brokers.Values.Count(b => !b.IsFenced) == 3, Patience).ConfigureAwait(false);
        await cluster.Node(0).CreateTopicAsync(Topic, partitions: 1, replicationFactor: 3, minInsyncReplicas: 2).ConfigureAwait(false);
        await WaitFullIsrAsync(cluster, 0).ConfigureAwait(false);

        await LatencyAsync(cluster, 200).ConfigureAwait(false);
        Console.WriteLine($"Replication: {records:N0} records of {size} B per run, {options.Rounds} rounds (+1 warm-up), 3 nodes over loopback TCP with TLS");
        // "on the leader": the producer runs in the leader's process (acks=1 is then a local append, no network);
        // "via a follower": it runs in another node's process, so every produce crosses loopback TCP to the leader,
        // as a Kafka client's would.
        var cases = (from inFlight in options.MaxInFlight
                     from c in new[] { ("on the leader", Acks.Leader), ("on the leader", Acks.All), ("via a follower", Acks.Leader), ("via a follower", Acks.All) }
                     select (c.Item1, c.Item2, inFlight)).ToArray();
        var rates = cases.ToDictionary(c => Name(c.Item1, c.Item2, c.inFlight), _ => new List<CaseResult>());

        // No node stops during the throughput rounds: any fencing there is a false one (a live node's session ran out
        // under the load), the price of a short broker session timeout.
        using var watching = new CancellationTokenSource();
        var falseFencings = CountFencingsAsync(cluster.Node(0), watching.Token);
        await SettleAsync(cluster.Node(Leader(cluster.Node(0).Metadata))).ConfigureAwait(false);
        for (var round = 0; round <= options.Rounds; round++)
        {
            foreach (var (placement, acks, inFlight) in cases)
            {
                var leader = Leader(cluster.Node(0).Metadata);
                var producerNode = placement == "on the leader" ? leader : (leader + 1) % 3;
                var result = await ProduceAsync(cluster.Node(producerNode), cluster.Node(leader), acks, inFlight, options.BatchSize, records, size)
                    .ConfigureAwait(false);
                Console.WriteLine($"  round {round}{(round == 0 ? " (warm-up)" : string.Empty)}: {Name(placement, acks, inFlight),-28} {result.Rate,12:N0} records/s" +
                    $"   followers copied all {result.CatchUp.TotalMilliseconds,5:F0} ms after it ({result.ReplicatedRate:N0} records/s replicated);" +
                    $" CPU {result.CpuMicrosPerRecord:F2} µs/record, {result.Cores:F2} cores");
                if (round > 0)
                {
                    rates[Name(placement, acks, inFlight)].Add(result);
                }
            }
        }

        await watching.CancelAsync().ConfigureAwait(false);
        Console.WriteLine($"  live nodes fenced during the throughput rounds (false fencing): {await falseFencings.ConfigureAwait(false)}");
        foreach (var inFlight in options.MaxInFlight)
        {
            foreach (var placement in new[] { "on the leader", "via a follower" })
            {
                var one = rates[Name(placement, Acks.Leader, inFlight)];
                var all = rates[Name(placement, Acks.All, inFlight)];
                var (oneRate, allRate) = (Median(one.ConvertAll(r => r.Rate)), Median(all.ConvertAll(r => r.Rate)));
                var (oneReplicated, allReplicated) = (Median(one.ConvertAll(r => r.ReplicatedRate)), Median(all.ConvertAll(r => r.ReplicatedRate)));
                Console.WriteLine($"  producer {placement}{InFlightNote(inFlight)}: median acks=1 {oneRate:N0} records/s, acks=all {allRate:N0} records/s: " +
                    $"acks=all/acks=1 = {allRate / oneRate:F2}x (target ≥ 0.5x); until every replica has the records: acks=1 {oneReplicated:N0}, " +
                    $"acks=all {allReplicated:N0} records/s = {allReplicated / oneReplicated:F2}x; CPU per record acks=1 " +
                    $"{Median(one.ConvertAll(r => r.CpuMicrosPerRecord)):F2} µs, acks=all {Median(all.ConvertAll(r => r.CpuMicrosPerRecord)):F2} µs");
            }
        }

        await FailoverAsync(cluster, options.Cycles).ConfigureAwait(false);
    }

    private static string Name(string placement, Acks acks, int inFlight)
        => $"{placement}, {(acks == Acks.All ? "acks=all" : "acks=1")}{InFlightNote(inFlight)}";

    /// <summary>Names a max.in.flight other than the producer's default (5) in the output.</summary>
    private static string InFlightNote(int inFlight)
        => inFlight == 5 ? string.Empty : $", max.in.flight {inFlight.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>Waits until every in-sync follower holds everything appended so far: one acks=all record, awaited.</summary>
    private static async Task<TimeSpan> SettleAsync(ClusterNode leader)
    {
        var clock = Stopwatch.StartNew();
        var producer = leader.Broker.CreateProducer<Null, byte[]>(new ProducerConfig { Acks = Acks.All, LingerMs = TimeSpan.Zero });
        await using (producer.ConfigureAwait(false))
        {
            await producer.ProduceAsync(Topic, new Message<Null, byte[]> { Value = [] }).ConfigureAwait(false);
        }

        return clock.Elapsed;
    }

    /// <summary>
    /// Sends <paramref name="records"/> and times them (<see cref="CaseResult.Rate"/>), then waits, untimed for that rate, until
    /// the followers hold them too (<see cref="CaseResult.CatchUp"/>): an acks=1 run on the leader's node ends long before its
    /// followers have copied it, and the next case must not pay for that. The process CPU is counted over both.
    /// </summary>
    private static async Task<CaseResult> ProduceAsync(ClusterNode node, ClusterNode leader, Acks acks, int inFlight, int? batchSize, int records, int size)
    {
        var config = new ProducerConfig
        {
            Acks = acks, EnableIdempotence = acks == Acks.All, LingerMs = TimeSpan.FromMilliseconds(5), MaxInFlightRequestsPerConnection = inFlight,
            BatchSize = batchSize ?? new ProducerConfig().BatchSize,
        };
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        TimeSpan elapsed;
        var producer = node.Broker.CreateProducer<Null, byte[]>(config);
        await using (producer.ConfigureAwait(false))
        {
            var message = new Message<Null, byte[]> { Value = new byte[size] };
            long failures = 0;
            Exception? firstFailure = null;
            void Report(DeliveryReport<Null, byte[]> report)
            {
                if (report.Error is { } error)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, error, null);
                }
            }

            var clock = Stopwatch.StartNew();
            for (var i = 0; i < records; i++)
            {
                producer.Produce(Topic, message, Report);
            }

            await producer.FlushAsync().ConfigureAwait(false);
            clock.Stop();
            elapsed = clock.Elapsed;
            if (failures > 0)
            {
                throw new InvalidOperationException($"{failures} of {records} records failed ({acks}); first: {firstFailure?.Message}");
            }
        }

        var catchUp = await SettleAsync(leader).ConfigureAwait(false);
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        return new CaseResult(records / elapsed.TotalSeconds, catchUp, records / (elapsed + catchUp).TotalSeconds,
            cpu.TotalMicroseconds / records, cpu / (elapsed + catchUp));
    }

    /// <summary>One timed case.</summary>
    /// <param name="Rate">Records per second from the first send to the last acknowledgement.</param>
    /// <param name="CatchUp">How long after that every in-sync follower held them all.</param>
    /// <param name="ReplicatedRate">Records per second until every in-sync replica held them.</param>
    /// <param name="CpuMicrosPerRecord">The whole process's CPU (three nodes) over the case and the catch-up, per record.</param>
    /// <param name="Cores">That CPU divided by the case and catch-up time.</param>
    private sealed record CaseResult(double Rate, TimeSpan CatchUp, double ReplicatedRate, double CpuMicrosPerRecord, double Cores);

    /// <summary>One record at a time, awaited: the time one acks=1 / acks=all produce takes, on the leader's node.</summary>
    private static async Task LatencyAsync(BenchCluster cluster, int count)
    {
        var leader = Leader(cluster.Node(0).Metadata);
        foreach (var acks in new[] { Acks.Leader, Acks.All })
        {
            var producer = cluster.Node(leader).Broker.CreateProducer<Null, byte[]>(new ProducerConfig { Acks = acks, EnableIdempotence = acks == Acks.All });
            await using (producer.ConfigureAwait(false))
            {
                var message = new Message<Null, byte[]> { Value = new byte[100] };
                var times = new List<double>(count);
                for (var i = 0; i < count; i++)
                {
                    var clock = Stopwatch.StartNew();
                    await producer.ProduceAsync(Topic, message).ConfigureAwait(false);
                    times.Add(clock.Elapsed.TotalMilliseconds);
                }

                times.Sort();
                Console.WriteLine($"Latency, {count} awaited produces one at a time, {(acks == Acks.All ? "acks=all" : "acks=1")}: p50 {Percentile(times, 0.5):F2} ms, p99 {Percentile(times, 0.99):F2} ms");
            }
        }
    }

    private static async Task FailoverAsync(BenchCluster cluster, int cycles)
    {
        var raft = cluster.RaftOptions(0);
        Console.WriteLine($"Failover: {cycles} cycles (Raft election timeout {raft.ElectionTimeout.TotalMilliseconds} ms, broker session timeout {raft.BrokerSessionTimeout.TotalMilliseconds} ms)");

        // Three partitions, so every node leads one and a cycle can stop the node that is also the controller (the
        // worst case: an election comes before the fencing) or one that is not.
        await cluster.Node(0).CreateTopicAsync(FailoverTopic, partitions: 3, replicationFactor: 3, minInsyncReplicas: 2).ConfigureAwait(false);
        await WaitFullIsrAsync(cluster, 0, FailoverTopic, 3).ConfigureAwait(false);
        var times = new Dictionary<bool, List<double>> { [true] = [], [false] = [] };
        for (var cycle = 0; cycle < cycles; cycle++)
        {
            var observer = Enumerable.Range(0, 3).First(cluster.IsRunning);
            var metadata = cluster.Node(observer).Metadata;
            var leaders = Enumerable.Range(0, 3).Select(p => metadata.Partitions[new TopicPartition(FailoverTopic, p)].Leader).ToList();
            var wantController = cycle % 2 == 0;
            var partition = Enumerable.Range(0, 3).FirstOrDefault(p => (leaders[p] == metadata.ControllerId) == wantController, 0);
            var victim = leaders[partition];
            var wasController = victim == metadata.ControllerId;
            var survivor = Enumerable.Range(0, 3).First(i => i != victim);
            var target = new TopicPartition(FailoverTopic, partition);
            var producer = cluster.Node(survivor).Broker.CreateProducer<Null, string>(new ProducerConfig { Acks = Acks.All, EnableIdempotence = true });
            await using (producer.ConfigureAwait(false))
            {
                await producer.ProduceAsync(target, new Message<Null, string> { Value = "before" }).ConfigureAwait(false);
                var clock = Stopwatch.StartNew();
                var moved = WhenLeaderMovesAsync(cluster.Node(survivor), target, victim, clock);
                await cluster.StopAsync(victim).ConfigureAwait(false);
                await producer.ProduceAsync(target, new Message<Null, string> { Value = $"after-{cycle}" }).ConfigureAwait(false);
                times[wasController].Add(clock.Elapsed.TotalMilliseconds);
                var newLeader = cluster.Node(survivor).Metadata.Partitions[target].Leader;
                Console.WriteLine($"  cycle {cycle}: node {victim} ({(wasController ? "leader and controller" : "leader")}) stopped → new leader in node {survivor}'s " +
                    $"metadata after {await moved.ConfigureAwait(false):F0} ms, node {newLeader} acknowledged after {clock.Elapsed.TotalMilliseconds:F0} ms");
            }

            await cluster.StartAsync(victim).ConfigureAwait(false);
            await WaitFullIsrAsync(cluster, survivor, FailoverTopic, 3).ConfigureAwait(false);
        }

        var all = times[true].Concat(times[false]).Order().ToList();
        foreach (var (name, list) in new[] { ("stopped node was the controller", times[true]), ("stopped node was not the controller", times[false]), ("all cycles", all) })
        {
            if (list.Count > 0)
            {
                var sorted = list.Order().ToList();
                Console.WriteLine($"  failover ms, {name} ({sorted.Count}): p50 {Percentile(sorted, 0.50):F0}, p99 {Percentile(sorted, 0.99):F0}, max {sorted[^1]:F0}");
            }
        }

        Console.WriteLine($"  target: p99 < election timeout + 2 s = {raft.ElectionTimeout.TotalMilliseconds + 2000} ms");
    }

    private static async Task<int> CountFencingsAsync(ClusterNode node, CancellationToken cancellationToken)
    {
        var fenced = new HashSet<int>(node.Metadata.Brokers.Where(b => b.Value.IsFenced).Select(b => b.Key));
        var count = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var (id, broker) in node.Metadata.Brokers)
            {
                if (broker.IsFenced && fenced.Add(id))
                {
                    count++;
                    Console.WriteLine($"  node {id} was fenced while running");
                }
                else if (!broker.IsFenced)
                {
                    fenced.Remove(id);
                }
            }

            await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
        }

        return count;
    }

    /// <summary>When the producer's node first saw another leader than <paramref name="old"/>: fencing plus the metadata round.</summary>
    private static async Task<double> WhenLeaderMovesAsync(ClusterNode node, TopicPartition partition, int old, Stopwatch clock)
    {
        while (node.Metadata.Partitions[partition].Leader is var leader && (leader == old || leader == PartitionState.NoLeader) && clock.Elapsed < Patience)
        {
            await Task.Delay(5).ConfigureAwait(false);
        }

        return clock.Elapsed.TotalMilliseconds;
    }

    private static async Task WaitFullIsrAsync(BenchCluster cluster, int observer, string topic = Topic, int partitions = 1)
        => await cluster.WaitAsync(observer, m => Enumerable.Range(0, partitions).All(p => m.Partitions.TryGetValue(new TopicPartition(topic, p), out var s)
            && s.Isr.Count == 3 && s.Leader != PartitionState.NoLeader), Patience).ConfigureAwait(false);

    private static int Leader(ClusterMetadata metadata) => metadata.Partitions[new TopicPartition(Topic, 0)].Leader;

    private static double Median(List<double> values) => Percentile([.. values.Order()], 0.5);

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];
}

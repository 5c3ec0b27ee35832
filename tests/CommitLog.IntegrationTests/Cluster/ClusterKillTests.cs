using System.Globalization;
using System.Security.Cryptography;
using CommitLog.IntegrationTests.Crash;
using CommitLog.Storage;

namespace CommitLog.IntegrationTests.Cluster;

/// <summary>
/// R10 with real processes: three cluster nodes (tests/CommitLog.ClusterChild) on loopback TCP, each running an
/// acks=all idempotent producer, min.insync.replicas=2; for a number of cycles the parent SIGKILLs (then restarts) or SIGSTOPs (then SIGCONTs) a random node, leader or follower. Then everything is healed, the
/// ISR must become full again, the children stop cleanly, and each node's partition logs are opened directly: every
/// acknowledged record is present exactly once at its acknowledged offset on every in-sync replica, no value is stored
/// twice, and the replicas are identical below their high watermarks. Leaders and ISRs come from the Raft control plane
/// in the nodes (or, with <c>COMMITLOG_CLUSTER_CONTROL=controller</c>, from a controller process the parent starts).
/// <c>COMMITLOG_CLUSTER_CYCLES</c> sets the number of cycles (default 20), <c>COMMITLOG_CLUSTER_SEED</c> replays a
/// seed; failures print both.
/// </summary>
[Collection(nameof(RealProcessCollection))]
public sealed class ClusterKillTests : IDisposable
{
    private const int NodeCount = 3;
    private const int Partitions = 2;
    private const string Topic = "orders";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "commitlog-cluster-kill-" + Guid.NewGuid().ToString("N"));
    private readonly ClusterChildProcess?[] _children = new ClusterChildProcess?[NodeCount];
    private readonly List<ClusterChildProcess> _finished = [];
    private ClusterChildProcess? _controller;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThreeNodes_RandomKillsAndPauses_NoAcknowledgedRecordLostOrDuplicatedAndReplicasAgree()
    {
        var cycles = Env("COMMITLOG_CLUSTER_CYCLES", 20);
        var seed = Env("COMMITLOG_CLUSTER_SEED", Random.Shared.Next());
        var random = new Random(seed);
        var context = $"seed {seed} (COMMITLOG_CLUSTER_SEED={seed})";
        var secret = RandomNumberGenerator.GetBytes(32);
        var raft = (Environment.GetEnvironmentVariable("COMMITLOG_CLUSTER_CONTROL") ?? "raft") == "raft";
        context += raft ? ", Raft control plane" : ", parent controller";
        var ports = ClusterTestKit.FreePorts(NodeCount * 3);
        string[] control;
        if (raft)
        {
            var certificates = ClusterTestKit.WriteCertificates(Path.Combine(_root, "certs"), NodeCount);
            var members = string.Join(",", Enumerable.Range(0, NodeCount).Select(i => $"{i}:{ports[3 * i]}:{ports[(3 * i) + 1]}:{ports[(3 * i) + 2]}"));
            control = ["control=raft", $"members={members}", $"certs={certificates}"];
        }
        else
        {
            _controller = ClusterChildProcess.Start(["mode=controller", $"secret={Convert.ToHexString(secret)}"]);
            control = [$"controller={(await WaitForLineAsync(_controller, "CONTROLLER ", TimeSpan.FromSeconds(60)))["CONTROLLER ".Length..]}"];
        }

        var runs = 0;
        void Start(int node) => _children[node] = ClusterChildProcess.Start([
            $"node={node}", $"dir={Path.Combine(_root, "node-" + node)}", $"listen=127.0.0.1:{ports[(3 * node) + 2]}", .. control,
            $"secret={Convert.ToHexString(secret)}", $"topic={Topic}", $"run={runs++}"]);

        for (var node = 0; node < NodeCount; node++)
        {
            Start(node);
        }

        await WaitForMetaAsync(m => m.Alive.Count == NodeCount && m.Alive.Values.All(a => a), TimeSpan.FromSeconds(60), context);
        while (_controller is null && _children.Any(c => c!.LastMeta is not { } line || ClusterMeta.Parse(line).Alive.Values.Count(a => a) < NodeCount))
        {
            await Task.Delay(20, Ct); // (Raft) the creating node assigns replicas from its own view: every node must see all three
        }

        var creator = _controller ?? _children[0]!;
        await creator.SendLineAsync($"CREATE {Topic} {Partitions} {NodeCount} 2");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (creator.LastLine("CREATED") is null && creator.LastLine("REFUSED") is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, Ct);
        }

        Assert.True(creator.LastLine("CREATED") is not null, $"{context}: creating the topic failed: {creator.LastLine("REFUSED")} {Meta} {creator.Stderr}");
        await WaitForAcksAsync(50, TimeSpan.FromSeconds(60), $"{context}, before the first cycle");

        var failovers = new List<TimeSpan>();
        var cycle = 0;
        try
        {
            for (; cycle < cycles; cycle++)
            {
                var victim = random.Next(NodeCount);
                var led = Meta.Partitions.Where(p => p.Value.Leader == victim).Select(p => p.Key).ToList();
                var faultAt = DateTime.UtcNow;
                if (random.Next(2) == 0)
                {
                    await _children[victim]!.KillAsync();
                    _finished.Add(_children[victim]!);
                    _children[victim] = null;
                    await Task.Delay(random.Next(0, 1000), Ct);
                    Start(victim);
                }
                else
                {
                    _children[victim]!.Pause();
                    await Task.Delay(random.Next(300, 3000), Ct);
                    _children[victim]!.Resume();
                }

                var before = AckCount();
                await WaitForMetaAsync(m => m.Alive.Values.All(a => a) && m.Partitions.Values.All(p => p.Leader >= 0 && p.Isr.Length >= 2),
                    TimeSpan.FromSeconds(60), $"{context}, cycle {cycle} (node {victim})");
                await WaitForAcksAsync(before + 20, TimeSpan.FromSeconds(60), $"{context}, cycle {cycle} (node {victim})");
                foreach (var partition in led)
                {
                    if (FirstAckAfter(partition, faultAt) is { } at)
                    {
                        failovers.Add(at - faultAt);
                    }
                }
            }

            // Heal: stop producing (every record answered), then every replica must be back in the ISR.
            foreach (var child in _children)
            {
                await child!.SendLineAsync("PAUSE");
            }

            foreach (var child in _children)
            {
                await WaitForLineAsync(child!, "PAUSED", TimeSpan.FromSeconds(60));
            }

            await WaitForMetaAsync(m => m.Partitions.Values.All(p => p.Isr.Length == NodeCount), TimeSpan.FromSeconds(60), $"{context}, after healing");
        }
        catch (TimeoutException e)
        {
            throw new InvalidOperationException($"{context}, cycle {cycle}: {e.Message}\n{Stderr()}", e);
        }

        var finalIsr = Meta.Partitions.ToDictionary(p => p.Key, p => (IReadOnlyList<int>)p.Value.Isr);
        var fences = Meta.Fences;
        for (var node = 0; node < NodeCount; node++)
        {
            Assert.True(await _children[node]!.StopAsync(TimeSpan.FromSeconds(60)), $"{context}: node {node} did not stop cleanly. {_children[node]!.Stderr}");
        }

        Assert.True(_controller is null || await _controller.StopAsync(TimeSpan.FromSeconds(30)), $"{context}: the controller did not stop.");
        var acked = Acks(context);
        Verify(acked, finalIsr, context);
        var sorted = failovers.Order().ToList();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{context}: {cycles} cycles, {acked.Count} acknowledged records, {(_controller is null ? "n/a" : fences.ToString(CultureInfo.InvariantCulture))} fences; failover to next ack on a led partition: " +
            (sorted.Count == 0 ? "none" : $"n={sorted.Count} median {sorted[sorted.Count / 2].TotalMilliseconds:F0} ms, max {sorted[^1].TotalMilliseconds:F0} ms"));
        if (Environment.GetEnvironmentVariable("COMMITLOG_CLUSTER_REPORT") is { Length: > 0 } report)
        {
            await File.WriteAllTextAsync(report, string.Join(",", sorted.Select(t => ((int)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)))
                + $"\n{cycles} cycles, {acked.Count} acks, {(_controller is null ? "n/a" : fences.ToString(CultureInfo.InvariantCulture))} fences\n", Ct);
        }
    }

    public void Dispose()
    {
        foreach (var child in _children.Concat(_finished).Append(_controller))
        {
            child?.Dispose();
        }

        if (Directory.Exists(_root) && Environment.GetEnvironmentVariable("COMMITLOG_CLUSTER_KEEP") != "1")
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private void Verify(Dictionary<string, (int Partition, long Offset)> acked, Dictionary<int, IReadOnlyList<int>> isr, string context)
    {
        for (var partition = 0; partition < Partitions; partition++)
        {
            var replicas = new Dictionary<int, (SortedDictionary<long, string> Records, long HighWatermark)>();
            for (var node = 0; node < NodeCount; node++)
            {
                replicas[node] = ReadPartition(Path.Combine(_root, "node-" + node, $"{Topic}-{partition}"), context);
                var values = replicas[node].Records.Values.ToList();
                Assert.True(values.Count == values.Distinct().Count(), $"{context}: node {node} partition {partition} stores a value twice.");
            }

            foreach (var node in isr[partition])
            {
                var records = replicas[node].Records;
                foreach (var (value, at) in acked.Where(a => a.Value.Partition == partition))
                {
                    if (!records.TryGetValue(at.Offset, out var stored) || stored != value)
                    {
                        Assert.Fail($"{context}: acknowledged {value} at {partition}/{at.Offset} is {(stored is null ? "missing" : "replaced by " + stored)} on in-sync node {node} " +
                            $"(its log: {records.Count} records, {(records.Count == 0 ? "empty" : $"{records.Keys.First()}..{records.Keys.Last()}")}, HW {replicas[node].HighWatermark}; data in {_root}).");
                    }
                }
            }

            foreach (var (a, b) in new[] { (0, 1), (0, 2), (1, 2) })
            {
                var below = Math.Min(replicas[a].HighWatermark, replicas[b].HighWatermark);
                var left = replicas[a].Records.Where(r => r.Key < below).ToArray();
                var right = replicas[b].Records.Where(r => r.Key < below).ToArray();
                var differ = Enumerable.Range(0, Math.Min(left.Length, right.Length)).FirstOrDefault(i => !left[i].Equals(right[i]), -1);
                Assert.True(differ < 0 && left.Length == right.Length,
                    $"{context}: nodes {a} and {b} differ below the high watermark {below} of partition {partition}: " +
                    (differ >= 0 ? $"{left[differ]} vs {right[differ]}" : $"{left.Length} vs {right.Length} records"));
            }
        }
    }

    private static (SortedDictionary<long, string>, long) ReadPartition(string directory, string context)
    {
        using var log = PartitionLog.Open(directory, new LogOptions { ReplicatedHighWatermark = true, RetentionMs = null, RetentionCheckInterval = null });
        var records = new SortedDictionary<long, string>();
        var offset = log.LogStartOffset;
        while (offset < log.LogEndOffset)
        {
            using var read = log.Read(offset, 1 << 20, ReadLimit.LogEnd);
            foreach (var batch in RecordBatch.ReadAll(read.Records))
            {
                foreach (var record in batch.ToList())
                {
                    Assert.True(records.TryAdd(record.Offset, System.Text.Encoding.UTF8.GetString(record.Value!.Value.Span)),
                        $"{context}: {directory} holds offset {record.Offset} twice.");
                }

                offset = batch.Header.LastOffset + 1;
            }

            Assert.True(read.Records.Length > 0, $"{context}: {directory} returned nothing at offset {offset}, below its log end {log.LogEndOffset}.");
        }

        return (records, log.HighWatermark);
    }

    private IEnumerable<ClusterChildProcess> All => _finished.Concat(_children.Where(c => c is not null))!;

    private int AckCount() => All.Sum(c => c.AckCount);

    private DateTime? FirstAckAfter(int partition, DateTime after) => All
        .SelectMany(c => c.Lines)
        .Where(l => l.At > after && l.Line.StartsWith("ACK ", StringComparison.Ordinal) && l.Line.Split(' ')[2] == partition.ToString(CultureInfo.InvariantCulture))
        .Select(l => (DateTime?)l.At)
        .Min();

    private Dictionary<string, (int, long)> Acks(string context)
    {
        var acks = new Dictionary<string, (int, long)>();
        var offsets = new HashSet<(int, long)>();
        foreach (var (_, line) in All.SelectMany(c => c.Lines).Where(l => l.Line.StartsWith("ACK ", StringComparison.Ordinal)))
        {
            var parts = line.Split(' ');
            var at = (int.Parse(parts[2], CultureInfo.InvariantCulture), long.Parse(parts[3], CultureInfo.InvariantCulture));
            Assert.True(acks.TryAdd(parts[1], at), $"{context}: {parts[1]} acknowledged twice.");
            Assert.True(offsets.Add(at), $"{context}: offset {at.Item1}/{at.Item2} acknowledged for two values.");
        }

        return acks;
    }

    private async Task WaitForAcksAsync(int count, TimeSpan timeout, string context)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (AckCount() < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{context}: only {AckCount()} of {count} acknowledgements within {timeout}.");
            }

            await Task.Delay(20, Ct);
        }
    }

    /// <summary>The newest metadata: the controller's, or (Raft) the newest version any node printed.</summary>
    private ClusterMeta Meta => _controller is not null
        ? ClusterMeta.Parse(_controller.LastMeta ?? "META")
        : All.Select(c => c.LastMeta).Where(l => l is not null).Select(l => ClusterMeta.Parse(l!)).MaxBy(m => m.Version) ?? ClusterMeta.Parse("META");

    private async Task WaitForMetaAsync(Func<ClusterMeta, bool> condition, TimeSpan timeout, string context)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(Meta))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{context}: the cluster did not reach the expected state within {timeout}: {Meta}");
            }

            await Task.Delay(20, Ct);
        }
    }

    private static async Task<string> WaitForLineAsync(ClusterChildProcess child, string prefix, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string? line;
        while ((line = child.LastLine(prefix)) is null)
        {
            Assert.True(DateTime.UtcNow < deadline && !child.HasExited, $"The child printed no '{prefix}' line: {child.Stderr}");
            await Task.Delay(20, Ct);
        }

        return line;
    }

    private string Stderr() => string.Join("\n", _children.Select((c, i) => c is null ? "" : $"node {i} stderr: {c.Stderr}"));

    private static int Env(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var value) ? value : fallback;
}

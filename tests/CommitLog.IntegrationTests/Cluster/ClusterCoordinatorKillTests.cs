using System.Globalization;
using System.Security.Cryptography;
using CommitLog.IntegrationTests.Crash;

namespace CommitLog.IntegrationTests.Cluster;

/// <summary>
/// Consumer-group coordination across a failover with real processes: three cluster nodes (tests/CommitLog.ClusterChild,
/// Raft control plane, loopback TCP), a topic of <see cref="Partitions"/> partitions (3 replicas, min.insync.replicas=2)
/// filled with 400 records per kill plus 400 (1,200 by default), acknowledged with acks=all, and one member of one group in every node's
/// process, committing every few records. The process of the group's coordinator (the leader of the group's
/// <c>__consumer_offsets</c> partition, from the nodes' META lines) is SIGKILLed mid-consumption, restarted (its member
/// joins again), and then the next coordinator is killed, <c>COMMITLOG_COORDKILL_KILLS</c> times (default 2). Verified:
/// every record reaches the application at least once; every place a member starts a partition after a kill is at or
/// after the last commit acknowledged (COMMITTED line received) before that kill; every partition ends committed at its
/// end, and each node reads those committed offsets back; every child stops cleanly. <c>COMMITLOG_COORDKILL_SEED</c>
/// replays a seed (kill timing); failures print it and the children's logs.
/// </summary>
[Collection(nameof(RealProcessCollection))]
public sealed class ClusterCoordinatorKillTests : IDisposable
{
    private const int NodeCount = 3;
    private const int Partitions = 4;
    private const int RecordsPerKill = 400;
    private const string Topic = "orders";
    private const string Group = "billing";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "commitlog-coord-kill-" + Guid.NewGuid().ToString("N"));
    private readonly ClusterChildProcess?[] _children = new ClusterChildProcess?[NodeCount];
    private readonly List<(int Node, ClusterChildProcess Child)> _started = [];
    private readonly List<Kill> _kills = [];
    private readonly List<string> _phases = [];
    private readonly DateTime _start = DateTime.UtcNow;
    private int _records;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Group_CoordinatorProcessKilledWhileMembersCommit_ResumesAtAcknowledgedCommitsAndConsumesEverything()
    {
        var kills = Env("COMMITLOG_COORDKILL_KILLS", 2);
        var seed = Env("COMMITLOG_COORDKILL_SEED", Random.Shared.Next());
        var context = $"seed {seed} (COMMITLOG_COORDKILL_SEED={seed}), {kills} kills";
        var started = DateTime.UtcNow;
        string summary;
        try
        {
            summary = await RunAsync(kills, new Random(seed), context);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The whole of every child's output goes to a file beside the data; the message has the tail of each.
            var full = Path.Combine(Path.GetTempPath(), $"commitlog-coord-kill-{seed}.log");
            await File.WriteAllTextAsync(full, string.Join("\n", _started.Select((s, i) => $"--- node {s.Node} (start {i}) ---\n" +
                string.Join("\n", s.Child.Lines.Select(l => $"{l.At:HH:mm:ss.fff} {l.Line}")) + "\nstderr: " + s.Child.Stderr)), CancellationToken.None);
            throw new InvalidOperationException($"{context}: {e.Message}\nAll child output: {full}\n{Logs()}", e);
        }

        summary = $"{context}: {summary}; {(DateTime.UtcNow - started).TotalSeconds:F1} s ({string.Join(", ", _phases)})";
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        if (Environment.GetEnvironmentVariable("COMMITLOG_COORDKILL_REPORT") is { Length: > 0 } report)
        {
            await File.AppendAllTextAsync(report, summary + "\n", Ct);
        }
    }

    public void Dispose()
    {
        foreach (var (_, child) in _started)
        {
            child.Dispose();
        }

        if (Directory.Exists(_root) && Environment.GetEnvironmentVariable("COMMITLOG_CLUSTER_KEEP") != "1")
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private async Task<string> RunAsync(int kills, Random random, string context)
    {
        _records = RecordsPerKill * (kills + 1);
        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        var ports = ClusterTestKit.FreePorts(NodeCount * 3);
        var certificates = ClusterTestKit.WriteCertificates(Path.Combine(_root, "certs"), NodeCount);
        var members = string.Join(",", Enumerable.Range(0, NodeCount).Select(i => $"{i}:{ports[3 * i]}:{ports[(3 * i) + 1]}:{ports[(3 * i) + 2]}"));
        var runs = 0;
        void Start(int node, int count, bool consumeNow)
        {
            _children[node] = ClusterChildProcess.Start([
                $"node={node}", $"dir={Path.Combine(_root, "node-" + node)}", $"listen=127.0.0.1:{ports[(3 * node) + 2]}", "control=raft",
                $"members={members}", $"certs={certificates}", $"secret={secret}", $"topic={Topic}", $"run={runs++}", $"count={count}",
                $"group={Group}", "commitevery=20", "pace=40000", consumeNow ? "consume=now" : "consume=wait"]);
            _started.Add((node, _children[node]!));
        }

        for (var node = 0; node < NodeCount; node++)
        {
            Start(node, node == 0 ? _records : 0, consumeNow: false);
        }

        // (Raft) the creating node assigns replicas from its own view: every node must see all three first.
        await WaitUntilAsync(() => _children.All(c => c!.LastMeta is { } line && ClusterMeta.Parse(line).Alive.Values.Count(a => a) == NodeCount),
            TimeSpan.FromSeconds(60), "every node to see the three nodes");
        await _children[0]!.SendLineAsync($"CREATE {Topic} {Partitions} {NodeCount} 2");
        await WaitUntilAsync(() => _children[0]!.LastLine("CREATED") is not null || _children[0]!.LastLine("REFUSED") is not null,
            TimeSpan.FromSeconds(60), "the topic");
        Assert.True(_children[0]!.LastLine("CREATED") is not null, $"Creating the topic failed: {_children[0]!.LastLine("REFUSED")}");
        await WaitUntilAsync(() => _children[0]!.LastLine("PAUSED") is not null, TimeSpan.FromSeconds(60), $"{_records} acknowledged records");
        var ends = Ends();
        Phase("filled");
        foreach (var child in _children)
        {
            await child!.SendLineAsync("CONSUME");
        }

        for (var k = 0; k < kills; k++)
        {
            // Mid-consumption (or, if the group already finished, now), after a commit acknowledged since the last kill, with
            // the offsets partition fully in sync.
            var threshold = (int)(_records * (k + 0.5 + (0.5 * random.NextDouble())) / (kills + 1));
            var commitsBefore = Count("COMMITTED ");
            await WaitUntilAsync(() => ((Count("GOT ") >= threshold && Count("COMMITTED ") > commitsBefore) || AllCommitted(ends)) && Meta.Coordinator.Isr.Length == NodeCount,
                TimeSpan.FromSeconds(60), $"kill {k}: {threshold} records consumed, a new commit, the offsets partition in sync");
            var coordinator = Meta.Coordinator;
            var victim = coordinator.Leader;
            var acknowledged = LastCommits();
            var at = DateTime.UtcNow;
            await _children[victim]!.KillAsync();
            _children[victim] = null;
            _kills.Add(new Kill(at, victim, acknowledged, !AllCommitted(ends)));
            await WaitUntilAsync(() => Meta.Coordinator is var c && c.Leader >= 0 && c.Leader != victim && c.Epoch > coordinator.Epoch,
                TimeSpan.FromSeconds(30), $"kill {k}: a new coordinator after node {victim}");
            await Task.Delay(random.Next(0, 500), Ct);
            Start(victim, 0, consumeNow: true);
            Phase($"kill {k} of node {victim} at {Count("GOT ")} records consumed");
            await WaitUntilAsync(() => Meta.Alive.Count(a => a.Value) == NodeCount, TimeSpan.FromSeconds(60), $"kill {k}: node {victim} back");
        }

        // The group finishes (at full speed now): every partition committed at its end.
        foreach (var child in _children)
        {
            await child!.SendLineAsync("PACE 0");
        }

        await WaitUntilAsync(() => AllCommitted(ends), TimeSpan.FromSeconds(90), "every partition committed at its end");
        Phase("all committed");
        var got = Got();
        var distinct = got.Select(g => (g.Partition, g.Offset)).ToHashSet();
        var missing = ends.SelectMany(e => Enumerable.Range(0, (int)e.Value).Select(o => (e.Key, (long)o))).Where(r => !distinct.Contains(r)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} records never reached the application, first {string.Join(", ", missing.Take(5))}.");
        var checkedStarts = CheckRestartPoints();

        // Every node reads the final commits back (its replica below its high watermark may lag by a replication round).
        var finalCommits = LastCommits();
        foreach (var child in _children)
        {
            await ReadBackAsync(child!, finalCommits);
        }

        Phase("read back");
        var stopped = await Task.WhenAll(_children.Select(c => c!.StopAsync(TimeSpan.FromSeconds(60))));
        for (var node = 0; node < NodeCount; node++)
        {
            var child = _children[node]!;
            Assert.True(stopped[node], $"Node {node} did not stop within 60 s.");
            Assert.True(child.LastLine("DONE") is not null && child.ExitCode == 0, $"Node {node} did not stop cleanly (exit code {child.ExitCode}).");
        }

        Phase("stopped");

        return $"{_kills.Count} coordinator kills (nodes {string.Join(",", _kills.Select(k => k.Node))}, " +
            $"{_kills.Count(k => k.MidConsumption)} mid-consumption), {got.Count} records handed out for {distinct.Count} " +
            $"({got.Count - distinct.Count} redelivered), {checkedStarts} partition starts after a kill checked against the commits before it";
    }

    /// <summary>Each place a member starts a partition (its first GOT after an ASSIGNED naming it) that the parent received
    /// after a kill is at or after the last commit of that partition received before the kill. Returns how many were checked.</summary>
    private int CheckRestartPoints()
    {
        var checkedStarts = 0;
        foreach (var (node, child) in _started)
        {
            var pending = new HashSet<int>();
            foreach (var (at, line) in child.Lines)
            {
                var parts = line.Split(' ');
                if (parts[0] == "ASSIGNED")
                {
                    pending.UnionWith(parts.Length > 1 ? parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Int) : []);
                }
                else if (parts[0] == "GOT" && pending.Remove(Int(parts[1])) && _kills.LastOrDefault(k => k.At < at) is { } kill)
                {
                    var partition = Int(parts[1]);
                    var offset = long.Parse(parts[2], CultureInfo.InvariantCulture);
                    var committed = kill.Acknowledged.GetValueOrDefault(partition, 0);
                    Assert.True(offset >= committed, $"Node {node}'s member started partition {partition} at offset {offset} after the kill of " +
                        $"node {kill.Node}, below the commit {committed} acknowledged before it.");
                    checkedStarts++;
                }
            }
        }

        Assert.True(_kills.Count == 0 || checkedStarts > 0, "No member started a partition after a kill: the check did not run.");
        return checkedStarts;
    }

    private async Task ReadBackAsync(ClusterChildProcess child, Dictionary<int, long> expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var before = child.Lines.Count;
            await child.SendLineAsync("OFFSETS");
            await WaitUntilAsync(() => child.Lines.Skip(before).Any(l => l.Line == "OFFSETS"), TimeSpan.FromSeconds(15), "the committed offsets");
            var read = child.Lines.Skip(before).Where(l => l.Line.StartsWith("OFFSET ", StringComparison.Ordinal))
                .Select(l => l.Line.Split(' ')).ToDictionary(p => Int(p[1]), p => long.Parse(p[2], CultureInfo.InvariantCulture));
            if (expected.All(e => read.GetValueOrDefault(e.Key, -1) >= e.Value))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"A node reads committed offsets {string.Join(",", read.OrderBy(r => r.Key))} back, " +
                $"below the acknowledged {string.Join(",", expected.OrderBy(r => r.Key))}.");
            await Task.Delay(200, Ct);
        }
    }

    /// <summary>The acknowledged records (all on node 0's first run): each partition's end, checking that they fill it.</summary>
    private Dictionary<int, long> Ends()
    {
        var lines = _started[0].Child.Lines.Select(l => l.Line).ToList();
        Assert.DoesNotContain(lines, l => l.StartsWith("ERR ", StringComparison.Ordinal));
        var acks = lines.Where(l => l.StartsWith("ACK ", StringComparison.Ordinal)).Select(l => l.Split(' '))
            .Select(p => (Partition: Int(p[2]), Offset: long.Parse(p[3], CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(_records, acks.Count);
        var ends = acks.GroupBy(a => a.Partition).ToDictionary(g => g.Key, g => g.Max(a => a.Offset) + 1);
        Assert.Equal(Partitions, ends.Count);
        Assert.Equal(_records, ends.Values.Sum());
        return ends;
    }

    private bool AllCommitted(Dictionary<int, long> ends) => LastCommits() is var c && ends.All(e => c.GetValueOrDefault(e.Key, -1) == e.Value);

    private void Phase(string what) => _phases.Add($"{what} {(DateTime.UtcNow - _start).TotalSeconds:F1} s");

    private List<(int Partition, long Offset)> Got() => [.. _started.SelectMany(s => s.Child.Lines)
        .Where(l => l.Line.StartsWith("GOT ", StringComparison.Ordinal)).Select(l => l.Line.Split(' '))
        .Select(p => (Int(p[1]), long.Parse(p[2], CultureInfo.InvariantCulture)))];

    /// <summary>Each partition's highest COMMITTED offset received so far (commits only move forward here).</summary>
    private Dictionary<int, long> LastCommits() => _started.SelectMany(s => s.Child.Lines)
        .Where(l => l.Line.StartsWith("COMMITTED ", StringComparison.Ordinal)).Select(l => l.Line.Split(' '))
        .GroupBy(p => Int(p[1])).ToDictionary(g => g.Key, g => g.Max(p => long.Parse(p[2], CultureInfo.InvariantCulture)));

    private int Count(string prefix) => _started.Sum(s => s.Child.Lines.Count(l => l.Line.StartsWith(prefix, StringComparison.Ordinal)));

    /// <summary>The newest metadata any node printed.</summary>
    private ClusterMeta Meta => _started.Select(s => s.Child.LastMeta).Where(l => l is not null).Select(l => ClusterMeta.Parse(l!))
        .MaxBy(m => m.Version) ?? ClusterMeta.Parse("META");

    private async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds} s waiting for {what}; newest metadata: " +
                    $"{_started.Select(s => s.Child.LastMeta).LastOrDefault(l => l is not null)}.");
            }

            await Task.Delay(20, Ct);
        }
    }

    /// <summary>Every child's stderr and its stdout without the GOT lines (the last 60 lines), labelled by node and start.</summary>
    private string Logs() => string.Join("\n", _started.Select((s, i) =>
        $"--- node {s.Node} (start {i}{(s.Child.HasExited ? ", exited" : "")}) ---\n" +
        string.Join("\n", s.Child.Lines.Where(l => !l.Line.StartsWith("GOT ", StringComparison.Ordinal) && !l.Line.StartsWith("ACK ", StringComparison.Ordinal))
            .TakeLast(60).Select(l => $"{l.At:HH:mm:ss.fff} {l.Line}")) + "\nstderr: " + s.Child.Stderr));

    private static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);

    private static int Env(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private sealed record Kill(DateTime At, int Node, Dictionary<int, long> Acknowledged, bool MidConsumption);
}

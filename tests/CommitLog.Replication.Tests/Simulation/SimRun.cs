using CommitLog.Replication.Control;
using CommitLog.Replication.Replica;
using CommitLog.TestKit;

namespace CommitLog.Replication.Tests.Simulation;

/// <summary>
/// One seeded run of a 3-node cluster: a fault phase (message drop, duplication, delay and reordering, cut links and
/// isolated nodes, crashes with disk loss and restarts) while idempotent producers write with acks=all and consumers
/// read, then a healing phase until every partition is fully in sync, then the final checks. Everything random comes
/// from the seed, so a seed replays exactly.
/// </summary>
internal sealed class SimRun
{
    private const int NodeCount = 3;
    private const long FaultPhaseMs = 6_000;
    private const long FetchWaitMs = 250;

    /// <summary>
    /// How long after the faults end every partition must have its full ISR with the high watermark at the leader's log
    /// end and every producer's records (the pending batch and the rest) acknowledged. Seeds 1-11,000 need at most about
    /// 3.5 s (most of it the producers' remaining batches); the bound leaves room for a few rounds of the slowest timeouts (session 800 ms, replica lag 600 ms, AlterIsr
    /// 500 ms, produce retry 1.5 s) but fails a run where something waits for good.
    /// </summary>
    private const long LivenessBoundMs = 10_000;

    private readonly int _seed;
    private readonly Random _random;
    private readonly SimScheduler _scheduler = new();
    private readonly SimNetwork _network;
    private readonly SimController _controller;
    private readonly List<SimNode> _nodes = [];
    private readonly List<SimProducer> _producers = [];
    private readonly List<(TopicPartition, SimConsumer)> _consumers = [];
    private readonly SimChecker _checker = new();
    private bool _faults = true;

    public SimRun(int seed, Func<IReplicaLog, IReplicaLog>? wrapLog = null)
    {
        _seed = seed;
        _random = new Random(seed);
        _network = new SimNetwork(_scheduler, _random)
        {
            DropRate = _random.NextDouble() * 0.05,
            DuplicateRate = _random.NextDouble() * 0.03,
            MaxDelayMs = 1 + _random.Next(20),
        };
        // Even seeds run the leaders with a long poll as cluster nodes do (a held fetch, the follower asks again at once);
        // odd seeds answer every fetch at once. Chosen without drawing from the seeded stream.
        var fetchWaitMs = seed % 2 == 0 ? FetchWaitMs : 0;
        var options = new ReplicationOptions
        {
            ReplicaLagTimeMaxMs = 600, FetchBackoffMs = fetchWaitMs > 0 ? 0 : 20, FetchTimeoutMs = 400, AlterIsrTimeoutMs = 500,
        };
        int[] ids = [.. Enumerable.Range(1, NodeCount)];
        _controller = new SimController(_scheduler, _network, ids, sessionTimeoutMs: 800);
        foreach (var id in ids)
        {
            _nodes.Add(new SimNode(id, unchecked((seed * 31) + id), _scheduler, _network, options, wrapLog ?? (l => l), fetchWaitMs));
        }

        _controller.CreateTopic(new ReplicatedTopic("events", PartitionCount: 2, ReplicationFactor: 3, MinInsyncReplicas: 2, UncleanLeaderElection: false));
        for (var p = 0; p < 2; p++)
        {
            var tp = new TopicPartition("events", p);
            _producers.Add(new SimProducer(100 + p, tp, batches: 10 + _random.Next(10), _scheduler, _network, _controller, _random));
            _consumers.Add((tp, new SimConsumer(tp, _scheduler, _nodes, _random)));
        }
    }

    public List<string> Violations => _checker.Violations;

    public string Stats { get; private set; } = "";

    /// <summary>Gets how long the cluster took to converge after the faults ended, or -1.</summary>
    public long HealedInMs { get; private set; } = -1;

    public void Run()
    {
        try
        {
            _controller.Start();
            _nodes.ForEach(n => n.Start());
            _producers.ForEach(p => p.Start());
            _consumers.ForEach(c => c.Item2.Start());
            _scheduler.After(_random.Next(200, 600), Fault);
            _scheduler.After(50, Check);
            _scheduler.RunUntil(FaultPhaseMs);
            Heal();
            var healedAt = _scheduler.Now;
            _scheduler.RunUntil(healedAt + LivenessBoundMs, () => Converged() && _scheduler.Now % 50 == 0);
            if (!Converged())
            {
                // Report what else is wrong too: a stuck producer can be the symptom of lost acknowledged records.
                Violations.Add($"liveness: {LivenessBoundMs} ms after the faults ended (links healed, nodes restarted) {Describe()}");
            }
            else
            {
                HealedInMs = _scheduler.Now - healedAt;
            }

            _checker.CheckCommitted(_nodes, _scheduler.Now);
            _checker.CheckFinal(_nodes, _producers, _consumers);
            Stats = $"{_scheduler.Events} events, {_network.Sent} messages, {_nodes.Sum(n => n.Crashes)} crashes, {_controller.Elections} elections, " +
                $"{_producers.Sum(p => p.Acknowledged.Count)} records acknowledged, {_producers.Sum(p => p.Retries)} retries, ended at {_scheduler.Now} ms";
        }
        finally
        {
            _nodes.ForEach(n => n.Shutdown());
        }
    }

    private void Check()
    {
        _checker.CheckCommitted(_nodes, _scheduler.Now);
        _scheduler.After(50, Check);
    }

    /// <summary>Injects one fault and schedules the next, until the fault phase ends.</summary>
    private void Fault()
    {
        if (!_faults)
        {
            return;
        }

        var node = _nodes[_random.Next(_nodes.Count)];
        var duration = _random.Next(100, 2_500);
        switch (_random.Next(4))
        {
            case 0 when node.IsUp:
                var modes = Enum.GetValues<PowerLossMode>();
                node.Crash(modes[_random.Next(modes.Length)], _random.Next());
                _scheduler.After(duration, () =>
                {
                    if (!node.IsUp)
                    {
                        node.Start();
                    }
                });
                break;
            case 1:
                var others = _nodes.Where(n => n != node).Select(n => n.Id).Append(SimController.Id).ToList();
                others.ForEach(o => _network.Cut(node.Id, o));
                _scheduler.After(duration, () => others.ForEach(o => _network.Heal(node.Id, o)));
                break;
            case 2:
                var other = _nodes.First(n => n != node).Id;
                _network.Cut(node.Id, other);
                _scheduler.After(duration, () => _network.Heal(node.Id, other));
                break;
            default:
                break;
        }

        _scheduler.After(_random.Next(200, 900), Fault);
    }

    private void Heal()
    {
        _faults = false;
        _network.HealAll();
        _network.DropRate = 0;
        _network.DuplicateRate = 0;
        foreach (var node in _nodes.Where(n => !n.IsUp))
        {
            node.Start();
        }
    }

    private bool Converged()
    {
        if (_producers.Any(p => !p.Done) || _nodes.Any(n => !n.IsUp))
        {
            return false;
        }

        foreach (var (tp, state) in _controller.Metadata.Partitions)
        {
            if (state.Leader < 0 || state.Isr.Count != state.Replicas.Count)
            {
                return false;
            }

            var leader = _nodes.First(n => n.Id == state.Leader).Core!;
            if (!leader.Leaders.ContainsKey(tp) || leader.Metadata.Version != _controller.Metadata.Version)
            {
                return false;
            }

            var leaderLog = leader.GetLog(tp)!;
            if (leaderLog.HighWatermark != leaderLog.LogEndOffset)
            {
                return false;
            }

            foreach (var replica in state.Replicas)
            {
                var log = _nodes.First(n => n.Id == replica).Core!.GetLog(tp);
                if (log is null || log.LogEndOffset != leaderLog.LogEndOffset)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>What has not converged: per partition the leader, ISR, high watermark and log ends; per producer what it still waits for.</summary>
    private string Describe()
    {
        var parts = new List<string>();
        foreach (var s in _controller.Metadata.Partitions.Values)
        {
            var leader = _nodes.FirstOrDefault(n => n.Id == s.Leader)?.Core;
            var leaderLog = leader?.GetLog(s.TopicPartition);
            var hw = leaderLog is null ? "?" : $"{leaderLog.HighWatermark}";
            var stuck = leaderLog is not null && leaderLog.HighWatermark < leaderLog.LogEndOffset ? " (high watermark below the leader's log end)" : "";
            var pending = leader?.Leaders.GetValueOrDefault(s.TopicPartition)?.MaximalIsr is { } maximal ? $" maximal ISR [{string.Join(",", maximal)}]" : " (not leading)";
            parts.Add($"{s.TopicPartition} leader {s.Leader} epoch {s.LeaderEpoch} ISR [{string.Join(",", s.Isr)}]{pending} HW {hw}{stuck}, log ends " +
                string.Join("/", s.Replicas.Select(r => $"{r}:{_nodes.First(n => n.Id == r).Core?.GetLog(s.TopicPartition)?.LogEndOffset ?? -1}")));
        }

        parts.AddRange(_producers.Where(p => !p.Done).Select(p => p.Describe()));
        parts.AddRange(_nodes.Where(n => !n.IsUp).Select(n => $"node {n.Id} down"));
        return string.Join("; ", parts);
    }
}

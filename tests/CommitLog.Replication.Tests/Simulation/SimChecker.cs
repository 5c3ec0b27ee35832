namespace CommitLog.Replication.Tests.Simulation;

/// <summary>
/// The invariants. While the run goes on: below each replica's high watermark, every offset holds the one value any
/// replica ever had there (replicas never diverge below the HW). At the end, after healing: every acknowledged record
/// is present once, at its offset, on the leader and on every ISR member; no duplicates; offsets increase; every
/// value a consumer saw is the committed one.
/// </summary>
internal sealed class SimChecker
{
    private readonly Dictionary<TopicPartition, Dictionary<long, string>> _committed = [];
    private readonly Dictionary<(int, TopicPartition), long> _checked = [];

    public List<string> Violations { get; } = [];

    /// <summary>Checks the newly committed part of every up replica's log against what any replica committed there.</summary>
    public void CheckCommitted(IEnumerable<SimNode> nodes, long now)
    {
        foreach (var node in nodes)
        {
            if (node.Core is not { } core)
            {
                continue;
            }

            foreach (var tp in core.Metadata.Partitions.Keys)
            {
                if (core.GetLog(tp) is not { } log)
                {
                    continue;
                }

                var key = (node.Id, tp);
                var from = Math.Min(_checked.GetValueOrDefault(key), log.HighWatermark);
                if (log.HighWatermark <= from)
                {
                    _checked[key] = from;
                    continue;
                }

                var committed = Committed(tp);
                foreach (var (offset, value) in SimRecords.Read(log, from, log.HighWatermark))
                {
                    if (!committed.TryAdd(offset, value) && committed[offset] != value)
                    {
                        Violations.Add($"at {now} ms node {node.Id} has '{value}' at {tp}@{offset} below its high watermark {log.HighWatermark}, " +
                            $"but '{committed[offset]}' was committed there");
                    }
                }

                _checked[key] = log.HighWatermark;
            }
        }
    }

    public void CheckFinal(IReadOnlyList<SimNode> nodes, IEnumerable<SimProducer> producers, IEnumerable<(TopicPartition, SimConsumer)> consumers)
    {
        var metadata = nodes.First(n => n.IsUp).Core!.Metadata;
        var finals = new Dictionary<TopicPartition, Dictionary<long, string>>();
        foreach (var (tp, state) in metadata.Partitions)
        {
            var leaderLog = nodes.First(n => n.Id == state.Leader).Core!.GetLog(tp)!;
            var records = SimRecords.Read(leaderLog, 0, leaderLog.LogEndOffset);
            var final = new Dictionary<long, string>();
            long previous = -1;
            foreach (var (offset, value) in records)
            {
                if (offset <= previous)
                {
                    Violations.Add($"{tp}: offsets not increasing on the leader: {offset} after {previous}");
                }

                previous = offset;
                final[offset] = value;
            }

            foreach (var dup in records.GroupBy(r => r.Value).Where(g => g.Count() > 1))
            {
                Violations.Add($"{tp}: value '{dup.Key}' appears {dup.Count()} times, at offsets {string.Join(", ", dup.Select(d => d.Offset))}");
            }

            foreach (var member in state.Isr.Where(m => m != state.Leader))
            {
                var memberRecords = SimRecords.Read(nodes.First(n => n.Id == member).Core!.GetLog(tp)!, 0, long.MaxValue);
                if (!memberRecords.SequenceEqual(records))
                {
                    var firstDiff = memberRecords.Zip(records).FirstOrDefault(p => p.First != p.Second);
                    Violations.Add($"{tp}: ISR member {member} holds {memberRecords.Count} records, the leader {state.Leader} {records.Count}; first difference {firstDiff}");
                }
            }

            finals[tp] = final;
        }

        foreach (var producer in producers)
        {
            foreach (var (value, tp, offset) in producer.Acknowledged)
            {
                if (!finals[tp].TryGetValue(offset, out var found) || found != value)
                {
                    Violations.Add($"acknowledged record '{value}' at {tp}@{offset} is lost: the leader has '{found ?? "nothing"}' there");
                }
            }

            Violations.AddRange(producer.Anomalies);
        }

        foreach (var (tp, consumer) in consumers)
        {
            Violations.AddRange(consumer.Anomalies);
            foreach (var (offset, value) in consumer.Seen)
            {
                if (!finals[tp].TryGetValue(offset, out var found) || found != value)
                {
                    Violations.Add($"a consumer read '{value}' at {tp}@{offset}, but the final log has '{found ?? "nothing"}' there");
                }
            }
        }
    }

    private Dictionary<long, string> Committed(TopicPartition tp)
    {
        if (!_committed.TryGetValue(tp, out var map))
        {
            map = [];
            _committed[tp] = map;
        }

        return map;
    }
}

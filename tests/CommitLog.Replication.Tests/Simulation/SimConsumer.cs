namespace CommitLog.Replication.Tests.Simulation;

/// <summary>A consumer that polls whichever node believes it leads the partition and reads only below its high watermark.</summary>
internal sealed class SimConsumer(TopicPartition partition, SimScheduler scheduler, IReadOnlyList<SimNode> nodes, Random random)
{
    private long _next;

    public List<(long Offset, string Value)> Seen { get; } = [];

    public List<string> Anomalies { get; } = [];

    public void Start() => scheduler.After(random.Next(50), Poll);

    private void Poll()
    {
        var candidates = nodes.Where(n => n.Core?.Leaders.ContainsKey(partition) == true).ToList();
        if (candidates.Count > 0)
        {
            var node = candidates[random.Next(candidates.Count)];
            var log = node.Core!.GetLog(partition)!;
            if (_next <= log.HighWatermark && _next >= log.LogStartOffset)
            {
                foreach (var (offset, value) in SimRecords.Decode(node.Core.ReadCommitted(partition, _next, 4096)!))
                {
                    if (offset < _next)
                    {
                        continue;
                    }

                    if (offset != _next)
                    {
                        Anomalies.Add($"consumer of {partition} expected offset {_next} but read {offset} from node {node.Id}");
                    }

                    if (offset >= log.HighWatermark)
                    {
                        Anomalies.Add($"consumer of {partition} read offset {offset} at or above node {node.Id}'s high watermark {log.HighWatermark}");
                    }

                    Seen.Add((offset, value));
                    _next = offset + 1;
                }
            }
        }

        scheduler.After(50, Poll);
    }
}

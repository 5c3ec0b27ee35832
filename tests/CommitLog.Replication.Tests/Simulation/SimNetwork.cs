using CommitLog.Replication.Protocol;

namespace CommitLog.Replication.Tests.Simulation;

/// <summary>
/// A seeded network: each message may be dropped, duplicated or delayed (so reordered); links can be cut and healed.
/// Replication messages travel encoded and are decoded on delivery, so every run also exercises the codec.
/// </summary>
internal sealed class SimNetwork(SimScheduler scheduler, Random random)
{
    private readonly Dictionary<int, Action<int, object>> _endpoints = [];
    private readonly HashSet<(int, int)> _cuts = [];

    public double DropRate { get; set; }

    public double DuplicateRate { get; set; }

    public int MaxDelayMs { get; set; } = 1;

    public long Sent { get; private set; }

    public void Attach(int id, Action<int, object> receive) => _endpoints[id] = receive;

    public void Detach(int id) => _endpoints.Remove(id);

    public void Cut(int a, int b) => _cuts.Add(Key(a, b));

    public void Heal(int a, int b) => _cuts.Remove(Key(a, b));

    public void HealAll() => _cuts.Clear();

    public bool IsCut(int a, int b) => _cuts.Contains(Key(a, b));

    public void Send(int from, int to, object message)
    {
        Sent++;
        if (IsCut(from, to) || random.NextDouble() < DropRate)
        {
            return;
        }

        object payload = message is ReplicationMessage replication ? MessageCodec.Encode(replication) : message;
        var copies = random.NextDouble() < DuplicateRate ? 2 : 1;
        for (var i = 0; i < copies; i++)
        {
            scheduler.After(1 + random.Next(MaxDelayMs), () =>
            {
                if (!IsCut(from, to) && _endpoints.TryGetValue(to, out var receive))
                {
                    receive(from, payload is byte[] bytes ? MessageCodec.Decode(bytes) : payload);
                }
            });
        }
    }

    private static (int, int) Key(int a, int b) => a < b ? (a, b) : (b, a);
}

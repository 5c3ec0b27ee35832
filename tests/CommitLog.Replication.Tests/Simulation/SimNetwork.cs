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
        // As a node does: a replication message is encoded into a pooled array, the transport copies it, and a fetch
        // answer's pooled read goes back to the pool right after (also when the message is dropped). A read released
        // too early would be reused by the next read and the checker would see the damage.
        byte[]? encoded = null;
        if (message is ReplicationMessage replication)
        {
            var pooled = MessageCodec.EncodePooled(replication);
            encoded = pooled.Memory.ToArray();
            pooled.Return();
            (replication as FetchResponse)?.ReleaseRecords();
        }

        if (IsCut(from, to) || random.NextDouble() < DropRate)
        {
            return;
        }

        var copies = random.NextDouble() < DuplicateRate ? 2 : 1;
        for (var i = 0; i < copies; i++)
        {
            // Each delivery gets its own bytes (a transport hands the receiver a payload it owns); records are decoded in place.
            var frame = encoded is null ? null : i == 0 ? encoded : (byte[])encoded.Clone();
            scheduler.After(1 + random.Next(MaxDelayMs), () =>
            {
                if (!IsCut(from, to) && _endpoints.TryGetValue(to, out var receive))
                {
                    receive(from, frame is null ? message : MessageCodec.DecodeInPlace(frame));
                }
            });
        }
    }

    private static (int, int) Key(int a, int b) => a < b ? (a, b) : (b, a);
}

using CommitLog.Replication.Transport;

namespace CommitLog.Replication.InMemory;

/// <summary>
/// A network of replication nodes inside one process, for tests and deterministic simulation. Every random choice
/// comes from one seeded source and every delay from the given <see cref="TimeProvider"/> (use a fake clock in tests),
/// so the same seed and the same sequence of calls give the same deliveries. Faults are set per direction with
/// <see cref="Link"/>; <see cref="Partition"/> cuts both directions and <see cref="Heal"/> restores them.
/// </summary>
public sealed class InMemoryNetwork
{
    private readonly Lock _lock = new();
    private readonly Random _random;
    private readonly Dictionary<(string From, string To), LinkState> _links = [];
    private readonly Dictionary<string, InMemoryListener> _listeners = new(StringComparer.Ordinal);

    /// <summary>Creates a network.</summary>
    /// <param name="seed">Seed of every random fault decision.</param>
    /// <param name="timeProvider">Clock for delays; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="maxFrameBytes">The largest payload a frame may carry (default 2 MiB, as the TCP transport's).</param>
    public InMemoryNetwork(int seed, TimeProvider? timeProvider = null, int maxFrameBytes = 2 << 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameBytes, 1);
        _random = new Random(seed);
        TimeProvider = timeProvider ?? TimeProvider.System;
        MaxFrameBytes = maxFrameBytes;
    }

    /// <summary>The clock delays are measured on.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The largest payload a frame may carry.</summary>
    public int MaxFrameBytes { get; }

    /// <summary>Creates the transport of one node; its listeners register on this network.</summary>
    /// <param name="nodeId">The node's identity.</param>
    /// <returns>The node's transport.</returns>
    public IReplicationTransport CreateTransport(string nodeId)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        return new InMemoryTransport(this, nodeId);
    }

    /// <summary>The faults of frames sent from <paramref name="from"/> to <paramref name="to"/>.</summary>
    /// <param name="from">The sending node id.</param>
    /// <param name="to">The receiving node id.</param>
    /// <returns>The live fault settings and counters of that direction.</returns>
    public LinkFaults Link(string from, string to)
    {
        lock (_lock)
        {
            return GetLink(from, to).Faults;
        }
    }

    /// <summary>Cuts the link between two nodes both ways: frames in flight and new frames are lost, dials fail.</summary>
    /// <param name="a">One node id.</param>
    /// <param name="b">The other node id.</param>
    public void Partition(string a, string b) => SetCut(a, b, cut: true);

    /// <summary>Restores the link between two nodes both ways.</summary>
    /// <param name="a">One node id.</param>
    /// <param name="b">The other node id.</param>
    public void Heal(string a, string b) => SetCut(a, b, cut: false);

    /// <summary>Delivers every frame still held back by reordering.</summary>
    public void ReleaseHeldFrames()
    {
        List<(InMemoryConnection, ReplicationFrame)> release = [];
        lock (_lock)
        {
            foreach (LinkState link in _links.Values)
            {
                if (link.Held is { } held)
                {
                    release.Add(held);
                    link.Held = null;
                }
            }
        }

        foreach ((InMemoryConnection target, ReplicationFrame frame) in release)
        {
            Arrive(target, frame);
        }
    }

    internal void Register(string address, InMemoryListener listener)
    {
        lock (_lock)
        {
            if (!_listeners.TryAdd(address, listener))
            {
                throw new TransportException($"Address '{address}' is already in use on this in-memory network.");
            }
        }
    }

    internal void Unregister(string address, InMemoryListener listener)
    {
        lock (_lock)
        {
            if (_listeners.TryGetValue(address, out InMemoryListener? current) && ReferenceEquals(current, listener))
            {
                _listeners.Remove(address);
            }
        }
    }

    internal IReplicationConnection Connect(string fromNode, string address)
    {
        InMemoryListener? listener;
        lock (_lock)
        {
            if (!_listeners.TryGetValue(address, out listener))
            {
                throw new TransportException($"No node listens at '{address}' on this in-memory network (connection refused).");
            }

            if (GetLink(fromNode, listener.NodeId).Faults.IsCut)
            {
                throw new TransportException($"Cannot reach '{address}': the link {fromNode} <-> {listener.NodeId} is partitioned.");
            }
        }

        var dialer = new InMemoryConnection(this, fromNode, listener.NodeId);
        var acceptor = new InMemoryConnection(this, listener.NodeId, fromNode);
        dialer.Peer = acceptor;
        acceptor.Peer = dialer;
        listener.Enqueue(acceptor);
        return dialer;
    }

    /// <summary>Applies the link's faults to one frame sent by <paramref name="sender"/>.</summary>
    internal void Send(InMemoryConnection sender, ReplicationFrame frame)
    {
        InMemoryConnection target = sender.Peer!;
        List<(InMemoryConnection Target, ReplicationFrame Frame, TimeSpan Delay)> deliveries = [];
        lock (_lock)
        {
            LinkState link = GetLink(sender.LocalNodeId, sender.RemoteNodeId);
            LinkFaults faults = link.Faults;
            if (faults.IsCut || _random.NextDouble() < faults.DropProbability)
            {
                faults.Dropped++;
                return;
            }

            int copies = _random.NextDouble() < faults.DuplicateProbability ? 2 : 1;
            faults.Duplicated += copies - 1;
            bool heldNow = false;
            if (link.Held is null && _random.NextDouble() < faults.ReorderProbability)
            {
                heldNow = true;
                faults.Reordered++;
                link.Held = (target, frame);
                copies--;
            }

            for (int i = 0; i < copies; i++)
            {
                deliveries.Add((target, frame, NextDelay(faults)));
            }

            if (!heldNow && link.Held is { } held)
            {
                deliveries.Add((held.Target, held.Frame, NextDelay(faults)));
                link.Held = null;
            }
        }

        foreach ((InMemoryConnection to, ReplicationFrame f, TimeSpan delay) in deliveries)
        {
            if (delay <= TimeSpan.Zero)
            {
                Arrive(to, f);
            }
            else
            {
                DelayedDelivery.Start(this, to, f, delay);
            }
        }
    }

    internal void Arrive(InMemoryConnection target, ReplicationFrame frame)
    {
        lock (_lock)
        {
            LinkFaults faults = GetLink(target.RemoteNodeId, target.LocalNodeId).Faults;
            if (faults.IsCut)
            {
                faults.Dropped++;
                return;
            }
        }

        target.Deliver(frame);
    }

    private TimeSpan NextDelay(LinkFaults faults) =>
        faults.Delay + (faults.DelayJitter > TimeSpan.Zero
            ? TimeSpan.FromTicks((long)(_random.NextDouble() * faults.DelayJitter.Ticks))
            : TimeSpan.Zero);

    private void SetCut(string a, string b, bool cut)
    {
        lock (_lock)
        {
            GetLink(a, b).Faults.IsCut = cut;
            GetLink(b, a).Faults.IsCut = cut;
        }
    }

    private LinkState GetLink(string from, string to)
    {
        if (!_links.TryGetValue((from, to), out LinkState? link))
        {
            link = new LinkState();
            _links.Add((from, to), link);
        }

        return link;
    }

    private sealed class LinkState
    {
        public LinkFaults Faults { get; } = new();

        public (InMemoryConnection Target, ReplicationFrame Frame)? Held { get; set; }
    }
}

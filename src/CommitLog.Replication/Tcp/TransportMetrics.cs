using System.Diagnostics.Metrics;

namespace CommitLog.Replication.Tcp;

/// <summary>The TCP transport's counters on the "CommitLog" meter.</summary>
internal sealed class TransportMetrics : IDisposable
{
    public const string MeterName = "CommitLog";

    private readonly bool _ownsMeter;
    private readonly Counter<long> _authFailures;
    private readonly Counter<long> _invalidFrames;
    private readonly Counter<long> _deadPeers;
    private readonly Counter<long> _dialRetries;

    public TransportMetrics(IMeterFactory? factory)
    {
        _ownsMeter = factory is null;
        Meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _authFailures = Meter.CreateCounter<long>("commitlog.replication.auth.failures", "{peer}",
            "Peers refused because they failed the cluster-secret handshake.");
        _invalidFrames = Meter.CreateCounter<long>("commitlog.replication.frames.invalid", "{frame}",
            "Connections closed on a malformed frame (tag reason: length, checksum, truncated, type).");
        _deadPeers = Meter.CreateCounter<long>("commitlog.replication.peers.dead", "{connection}",
            "Connections closed because the peer sent nothing within the dead-peer timeout.");
        _dialRetries = Meter.CreateCounter<long>("commitlog.replication.dial.retries", "{attempt}",
            "Dial attempts that failed and were retried after a backoff.");
    }

    public Meter Meter { get; }

    public void AuthFailure() => _authFailures.Add(1);

    public void InvalidFrame(string reason) => _invalidFrames.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void DeadPeer() => _deadPeers.Add(1);

    public void DialRetry() => _dialRetries.Add(1);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }
}

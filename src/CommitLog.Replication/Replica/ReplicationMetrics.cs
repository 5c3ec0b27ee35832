using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace CommitLog.Replication.Replica;

/// <summary>
/// The replication core's instruments on the "CommitLog" meter, with Kafka's names beside ours:
/// <c>commitlog.replication.under_replicated_partitions</c> (UnderReplicatedPartitions),
/// <c>commitlog.replication.isr.shrinks</c> / <c>.expands</c> (IsrShrinksPerSec / IsrExpandsPerSec),
/// <c>commitlog.replication.follower.lag</c> (a follower's records-lag, per partition),
/// <c>commitlog.replication.requests</c> (RequestsPerSec, tag <c>request</c>: Fetch, Produce).
/// </summary>
internal sealed class ReplicationMetrics : IDisposable
{
    public const string MeterName = "CommitLog";

    private readonly bool _ownsMeter;
    private readonly Counter<long> _isrShrinks;
    private readonly Counter<long> _isrExpands;
    private readonly Counter<long> _requests;
    private readonly ConcurrentDictionary<TopicPartition, long> _lag = new();
    private int _underReplicated;

    public ReplicationMetrics(IMeterFactory? factory = null)
    {
        _ownsMeter = factory is null;
        Meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        Meter.CreateObservableGauge("commitlog.replication.under_replicated_partitions", () => Volatile.Read(ref _underReplicated),
            "{partition}", "Partitions this node leads whose ISR is smaller than their replica set (Kafka UnderReplicatedPartitions).");
        _isrShrinks = Meter.CreateCounter<long>("commitlog.replication.isr.shrinks", "{change}",
            "ISR shrinks committed for partitions this node leads (Kafka IsrShrinksPerSec).");
        _isrExpands = Meter.CreateCounter<long>("commitlog.replication.isr.expands", "{change}",
            "ISR expansions committed for partitions this node leads (Kafka IsrExpandsPerSec).");
        Meter.CreateObservableGauge("commitlog.replication.follower.lag", ObserveLag, "{record}",
            "Records between a follower's log end and its leader's high watermark, per followed partition.");
        _requests = Meter.CreateCounter<long>("commitlog.replication.requests", "{request}",
            "Replication requests handled, by type (Kafka RequestsPerSec{request=Fetch|Produce}).");
    }

    public Meter Meter { get; }

    public int UnderReplicatedPartitions => Volatile.Read(ref _underReplicated);

    public void IsrShrink() => _isrShrinks.Add(1);

    public void IsrExpand() => _isrExpands.Add(1);

    public void Request(string type) => _requests.Add(1, new KeyValuePair<string, object?>("request", type));

    public void SetUnderReplicated(int count) => Volatile.Write(ref _underReplicated, count);

    public void SetLag(TopicPartition partition, long? lag)
    {
        if (lag is { } value)
        {
            _lag[partition] = value;
        }
        else
        {
            _lag.TryRemove(partition, out _);
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }

    private IEnumerable<Measurement<long>> ObserveLag()
    {
        foreach (var (partition, lag) in _lag)
        {
            yield return new Measurement<long>(lag, new KeyValuePair<string, object?>("topic", partition.Topic),
                new KeyValuePair<string, object?>("partition", partition.Partition.Value));
        }
    }
}

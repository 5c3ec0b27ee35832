using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace CommitLog.Replication.Control;

/// <summary>
/// The control plane's instruments on the "CommitLog" meter: the active-controller gauge, partition leader
/// elections and unclean elections (each unclean one is also logged as a warning naming what may be lost).
/// </summary>
internal sealed partial class ControlPlaneMetrics : IDisposable
{
    public const string MeterName = "CommitLog";

    private readonly bool _ownsMeter;
    private readonly Counter<long> _elections;
    private readonly Counter<long> _uncleanElections;
    private readonly Counter<long> _refusedPeers;
    private readonly ILogger _logger;

    public ControlPlaneMetrics(IMeterFactory? factory, int nodeId, Func<bool> isActiveController, Func<ClusterMetadata> metadata, ILogger logger)
    {
        _ownsMeter = factory is null;
        _logger = logger;
        Meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        var node = new KeyValuePair<string, object?>("node", nodeId);
        Meter.CreateObservableGauge("commitlog.controller.active", () => new Measurement<int>(isActiveController() ? 1 : 0, node),
            "{controller}", "1 on the node that currently acts as controller, 0 elsewhere (Kafka ActiveControllerCount).");
        Meter.CreateObservableGauge("commitlog.controller.brokers.fenced", () => new Measurement<int>(metadata().Brokers.Values.Count(b => b.IsFenced), node),
            "{node}", "Registered nodes currently fenced, in this node's metadata (Kafka FencedBrokerCount).");
        Meter.CreateObservableGauge("commitlog.controller.partitions.offline", () => new Measurement<int>(metadata().Partitions.Values.Count(p => p.Leader == PartitionState.NoLeader), node),
            "{partition}", "Partitions without a leader, in this node's metadata (Kafka OfflinePartitionsCount).");
        _elections = Meter.CreateCounter<long>("commitlog.controller.leader_elections", "{election}",
            "Partition leader elections the controller committed (Kafka LeaderElectionRateAndTimeMs count).");
        _uncleanElections = Meter.CreateCounter<long>("commitlog.controller.unclean_leader_elections", "{election}",
            "Elections of a leader from outside the ISR, which may lose acknowledged records (Kafka UncleanLeaderElectionsPerSec).");
        _refusedPeers = Meter.CreateCounter<long>("commitlog.controller.peers.refused", "{connection}",
            "Raft connections refused because the peer's TLS certificate is not trusted.");
    }

    public Meter Meter { get; }

    public void RefusedPeer() => _refusedPeers.Add(1);

    /// <summary>Counts and reports the elections of one committed change.</summary>
    public void Report(MetadataChange change, ClusterMetadata before)
    {
        foreach (LeaderElection election in change.Elections)
        {
            _elections.Add(1, new KeyValuePair<string, object?>("topic", election.TopicPartition.Topic));
            LogElection(election.TopicPartition.Topic, election.TopicPartition.Partition, election.OldLeader, election.NewLeader, election.LeaderEpoch);
            if (election.Unclean)
            {
                _uncleanElections.Add(1, new KeyValuePair<string, object?>("topic", election.TopicPartition.Topic));
                string previousIsr = before.Partitions.TryGetValue(election.TopicPartition, out PartitionState? old)
                    ? string.Join(",", old.Isr)
                    : "?";
                LogUncleanElection(election.TopicPartition.Topic, election.TopicPartition.Partition, election.NewLeader, election.LeaderEpoch, previousIsr);
            }
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Partition {Topic}-{Partition}: leader {OldLeader} -> {NewLeader}, leader epoch {LeaderEpoch}")]
    private partial void LogElection(string topic, int partition, int oldLeader, int newLeader, int leaderEpoch);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "UNCLEAN leader election for {Topic}-{Partition}: node {NewLeader} leads in epoch {LeaderEpoch} from outside the ISR " +
            "(last ISR {PreviousIsr}); records acknowledged by the old ISR above node {NewLeader}'s log end offset may be lost")]
    private partial void LogUncleanElection(string topic, int partition, int newLeader, int leaderEpoch, string previousIsr);
}

using CommitLog.Replication.Protocol;
using CommitLog.Replication.Replica;
using CommitLog.Storage;
using CommitLog.TestKit;
using Microsoft.Extensions.Time.Testing;

namespace CommitLog.Replication.Tests.Simulation;

/// <summary>
/// One replica process: a <see cref="ReplicaNode"/> over <see cref="PartitionLog"/>s on its own
/// <see cref="SimulatedStorage"/>. A crash loses the process state and whatever the disk had not made durable; a
/// restart reopens the logs (recovery) and starts a new core with no metadata.
/// </summary>
internal sealed class SimNode
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly SimScheduler _scheduler;
    private readonly SimNetwork _network;
    private readonly ReplicationOptions _options;
    private readonly Func<IReplicaLog, IReplicaLog> _wrap;
    private readonly Dictionary<TopicPartition, PartitionLog> _logs = [];
    private readonly FetchParking? _longPoll;
    private int _incarnation;

    public SimNode(int id, int seed, SimScheduler scheduler, SimNetwork network, ReplicationOptions options, Func<IReplicaLog, IReplicaLog> wrap,
        long fetchWaitMs = 0)
    {
        _longPoll = fetchWaitMs > 0 ? new FetchParking(fetchWaitMs) : null; // 0: a leader answers every fetch at once
        Id = id;
        Storage = new SimulatedStorage(seed);
        _scheduler = scheduler;
        _network = network;
        _options = options;
        _wrap = wrap;
    }

    public int Id { get; }

    public SimulatedStorage Storage { get; }

    public ReplicaNode? Core { get; private set; }

    public bool IsUp => Core is not null;

    public int Crashes { get; private set; }

    public void Start()
    {
        var incarnation = ++_incarnation;
        _longPoll?.Clear();
        Core = new ReplicaNode(Id, Open, _options);
        _network.Attach(Id, Receive);
        _scheduler.After(0, () => Heartbeat(incarnation));
        _scheduler.After(1, () => Tick(incarnation));
    }

    /// <summary>Kills the process: the disk keeps what <paramref name="mode"/> lets survive, open logs are abandoned.</summary>
    public void Crash(PowerLossMode mode, int seed)
    {
        Core?.Metrics.Dispose();
        Core = null;
        _incarnation++;
        _network.Detach(Id);
        Storage.Crash(mode, seed);
        _logs.Clear();
        Crashes++;
    }

    public void Shutdown()
    {
        Core?.Metrics.Dispose();
        Core = null;
        foreach (var log in _logs.Values)
        {
            log.Dispose();
        }

        _logs.Clear();
    }

    private IReplicaLog Open(TopicPartition tp)
    {
        var log = PartitionLog.Open($"/sim/node{Id}/{tp}", new LogOptions
        {
            Storage = Storage,
            ReplicatedHighWatermark = true,
            FlushPolicy = FlushPolicy.BeforeAck,
            CheckpointInterval = TimeSpan.FromDays(1),
            RetentionCheckInterval = null,
            RetentionMs = null,
            TimeProvider = new FakeTimeProvider(Epoch),
        });
        _logs[tp] = log;
        return _wrap(new PartitionLogReplica(log));
    }

    private void Receive(int from, object message)
    {
        if (Core is not { } core)
        {
            return;
        }

        switch (message)
        {
            case ReplicationMessage replication:
                core.Receive(from, replication, _scheduler.Now);
                if (_longPoll is { } poll && replication is FetchRequest fetch)
                {
                    var output = core.TakeMessages();
                    poll.MaybePark(from, fetch, output, _scheduler.Now);
                    output.ForEach(Send);
                }
                else if (_longPoll is { } wake && replication is ProduceRequest produce)
                {
                    wake.Wake(core, p => p.Touches(new TopicPartition(produce.Topic, produce.Partition)), _scheduler.Now);
                }

                break;
            case AlterIsrRefused refused:
                core.IsrChangeRefused(refused.Request, _scheduler.Now);
                break;
            case MetadataPush push:
                core.ApplyMetadata(push.Metadata, _scheduler.Now);
                _longPoll?.Wake(core, _ => true, _scheduler.Now);
                break;
        }

        core.Tick(_scheduler.Now);
        Flush(core);
    }

    private void Tick(int incarnation)
    {
        if (incarnation != _incarnation || Core is not { } core)
        {
            return;
        }

        _longPoll?.Wake(core, p => p.DeadlineMs <= _scheduler.Now, _scheduler.Now);
        core.Tick(_scheduler.Now);
        Flush(core);
        _scheduler.After(20, () => Tick(incarnation));
    }

    private void Send(OutgoingMessage message)
    {
        _longPoll?.NoteSent(message.To, message.Message);
        _network.Send(Id, message.To, message.Message);
    }

    private void Heartbeat(int incarnation)
    {
        if (incarnation != _incarnation || Core is not { } core)
        {
            return;
        }

        _network.Send(Id, SimController.Id, new Heartbeat(Id, core.Metadata.Version));
        _scheduler.After(100, () => Heartbeat(incarnation));
    }

    private void Flush(ReplicaNode core)
    {
        core.TakeMessages().ForEach(Send);

        foreach (var request in core.TakeAlterIsrRequests())
        {
            _network.Send(Id, SimController.Id, new AlterIsrMessage(request));
        }
    }
}

using CommitLog.Replication.Control;
using CommitLog.Replication.Protocol;
using CommitLog.Replication.Replica;
using CommitLog.Storage;
using CommitLog.TestKit;

namespace CommitLog.Replication.Tests.Protocol;

/// <summary>
/// Replica cores on PartitionLogs over SimulatedStorage, with hand-written metadata and a synchronous message pump:
/// the targeted tests decide exactly which node hears what, and when.
/// </summary>
internal sealed class ReplicaTestCluster : IDisposable
{
    public const int Producer = 100;
    public static readonly TopicPartition Tp = new("t", 0);

    private readonly Dictionary<int, SimulatedStorage> _storage = [];
    private readonly Dictionary<int, PartitionLog> _logs = [];
    private long _version;

    public ReplicaTestCluster(params int[] nodes)
    {
        foreach (var id in nodes)
        {
            _storage[id] = new SimulatedStorage(id);
            Start(id);
        }
    }

    public Dictionary<int, ReplicaNode> Nodes { get; } = [];

    public List<ProduceResponse> Responses { get; } = [];

    public long Now { get; set; }

    public HashSet<int> Down { get; } = [];

    public IReplicaLog Log(int node) => Nodes[node].GetLog(Tp)!;

    public PartitionLog StorageLog(int node) => _logs[node];

    public void Start(int id)
    {
        Nodes[id] = new ReplicaNode(id, _ => Open(id), new ReplicationOptions { ReplicaLagTimeMaxMs = 1000, FetchBackoffMs = 0 });
        Down.Remove(id);
    }

    /// <summary>Kills a node: its unflushed disk state is dropped and its log reopened (recovered) when it starts again.</summary>
    public void Crash(int id)
    {
        Down.Add(id);
        _storage[id].Crash(PowerLossMode.DropUnflushed, 1);
        _logs.Remove(id);
    }

    public void SetMetadata(int leader, int leaderEpoch, int[] isr, int partitionEpoch, int minIsr = 2, int[]? replicas = null)
    {
        replicas ??= [.. Nodes.Keys.Order()];
        var state = new PartitionState(Tp.Topic, Tp.Partition, replicas, isr, leader, leaderEpoch, partitionEpoch);
        var metadata = new ClusterMetadata(++_version, -1,
            replicas.ToDictionary(r => r, r => new BrokerRegistration(r, $"n{r}", false)),
            new Dictionary<string, ReplicatedTopic> { [Tp.Topic] = new(Tp.Topic, 1, replicas.Length, minIsr, false) },
            new Dictionary<TopicPartition, PartitionState> { [Tp] = state });
        foreach (var (id, node) in Nodes.Where(n => !Down.Contains(n.Key)))
        {
            node.ApplyMetadata(metadata, Now);
        }
    }

    public static byte[] Batch(int sequence, string value, long producerId = 7) => Batch(sequence, [value], producerId);

    public static byte[] Batch(int sequence, string[] values, long producerId = 7)
    {
        using var builder = new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = 0, BaseSequence = sequence };
        foreach (var value in values)
        {
            builder.Append(1_700_000_000_000, null, System.Text.Encoding.UTF8.GetBytes(value));
        }

        return builder.ToArray();
    }

    public void Produce(int to, byte[] batch, int correlation = 1)
    {
        Nodes[to].Receive(Producer, new ProduceRequest(correlation, Tp.Topic, Tp.Partition, ProduceRequest.AcksAll, 30_000, batch), Now);
        Pump();
    }

    /// <summary>Ticks every up node and delivers messages (through the codec) until none are left; messages to or from down nodes are lost.</summary>
    public void Pump(int rounds = 20)
    {
        for (var i = 0; i < rounds; i++)
        {
            var moved = false;
            foreach (var (id, node) in Nodes.Where(n => !Down.Contains(n.Key)).ToList())
            {
                node.Tick(Now);
                foreach (var message in node.TakeMessages())
                {
                    var decoded = MessageCodec.Decode(MessageCodec.Encode(message.Message));
                    if (message.To == Producer)
                    {
                        Responses.Add((ProduceResponse)decoded);
                    }
                    else if (!Down.Contains(message.To))
                    {
                        Nodes[message.To].Receive(id, decoded, Now);
                        moved = true;
                    }
                }
            }

            if (!moved)
            {
                return;
            }
        }
    }

    public List<(long Offset, string Value)> Records(int node)
        => Simulation.SimRecords.Read(Log(node), 0, Log(node).LogEndOffset);

    public void Dispose()
    {
        foreach (var log in _logs.Values)
        {
            log.Dispose();
        }
    }

    private PartitionLogReplica Open(int id)
    {
        var log = PartitionLog.Open($"/n{id}/t-0", new LogOptions
        {
            Storage = _storage[id], ReplicatedHighWatermark = true, FlushPolicy = FlushPolicy.BeforeAck, RetentionCheckInterval = null,
        });
        _logs[id] = log;
        return new PartitionLogReplica(log);
    }
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using CommitLog.Replication.Cluster;
using CommitLog.Replication.InMemory;
using CommitLog.Replication.Tcp;
using CommitLog.Replication.Transport;
using CommitLog.Storage;

namespace CommitLog.Replication.Tests.Cluster;

/// <summary>Three (or more) <see cref="ClusterNode"/>s in this process, over the in-memory network or TCP loopback,
/// sharing one <see cref="MetadataAuthority"/>; nodes can be stopped and started again on their data directory.</summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private static readonly byte[] Secret = "cluster-node-tests-secret-0123456789"u8.ToArray();
    private static readonly int TcpDefaultFrameBytes = new TcpTransportOptions { NodeId = "0", ClusterSecret = Secret }.MaxFrameBytes;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "commitlog-cluster-" + Guid.NewGuid().ToString("N"));
    private readonly bool _tcp;
    private readonly string[] _addresses;
    private readonly IReplicationTransport?[] _transports;
    private readonly TimeSpan _lagTimeMax;
    private readonly int? _maxFrameBytes;
    private readonly BrokerOptions _brokerOptions;

    private TestCluster(int count, bool tcp, TimeSpan lagTimeMax, int? maxFrameBytes, BrokerOptions? brokerOptions)
    {
        _tcp = tcp;
        _lagTimeMax = lagTimeMax;
        _maxFrameBytes = maxFrameBytes;
        _brokerOptions = brokerOptions ?? BrokerOptions.Default;
        Network = maxFrameBytes is { } frame ? new(seed: 1, TimeProvider.System, frame) : new(seed: 1, TimeProvider.System);
        Nodes = new ClusterNode?[count];
        _transports = new IReplicationTransport?[count];
        _addresses = [.. Enumerable.Range(0, count).Select(i => tcp ? $"127.0.0.1:{FreePort()}" : $"node-{i}")];
    }

    public MetadataAuthority Authority { get; } = new();

    public InMemoryNetwork Network { get; }

    public ClusterNode?[] Nodes { get; }

    // maxFrameBytes: every transport's MaxFrameBytes (default: the transports' own); brokerOptions: every node's broker settings.
    public static async Task<TestCluster> StartAsync(int count, bool tcp, CancellationToken cancellationToken, TimeSpan? lagTimeMax = null,
        int? maxFrameBytes = null, BrokerOptions? brokerOptions = null)
    {
        var cluster = new TestCluster(count, tcp, lagTimeMax ?? TimeSpan.FromSeconds(3), maxFrameBytes, brokerOptions);
        for (var i = 0; i < count; i++)
        {
            await cluster.StartNodeAsync(i, cancellationToken);
        }

        return cluster;
    }

    public ClusterNode Node(int id) => Nodes[id] ?? throw new InvalidOperationException($"Node {id} is stopped.");

    public string DataDirectory(int id) => Path.Combine(_root, "node-" + id.ToString(CultureInfo.InvariantCulture));

    public async Task StartNodeAsync(int id, CancellationToken cancellationToken)
    {
        var name = id.ToString(CultureInfo.InvariantCulture);
        IReplicationTransport transport = _tcp
            ? new TcpTransport(new TcpTransportOptions
            {
                NodeId = name,
                ClusterSecret = Secret,
                KeepAliveInterval = TimeSpan.FromMilliseconds(200),
                DeadPeerTimeout = TimeSpan.FromSeconds(2),
                ReconnectInitialDelay = TimeSpan.FromMilliseconds(20),
                ReconnectMaxDelay = TimeSpan.FromMilliseconds(300),
                MaxFrameBytes = _maxFrameBytes ?? TcpDefaultFrameBytes,
            })
            : Network.CreateTransport(name);
        _transports[id] = transport;
        Nodes[id] = await ClusterNode.StartAsync(new ClusterNodeOptions
        {
            NodeId = id,
            DataDirectory = DataDirectory(id),
            ListenAddress = _addresses[id],
            Transport = transport,
            ControlPlane = new AuthorityControlPlane(Authority, id, _addresses[id]),
            ReplicaLagTimeMax = _lagTimeMax,
            ReplicaFetchWaitMax = TimeSpan.FromMilliseconds(200),
            RequestTimeout = TimeSpan.FromSeconds(5),
            BrokerOptions = _brokerOptions,
        }, cancellationToken);
    }

    public async Task StopNodeAsync(int id)
    {
        if (Nodes[id] is { } node)
        {
            Nodes[id] = null;
            await node.DisposeAsync();
        }

        if (_transports[id] is { } transport)
        {
            _transports[id] = null;
            await transport.DisposeAsync();
        }
    }

    /// <summary>Reads every record of a partition on node <paramref name="id"/>, up to its log end: offset → value.</summary>
    public SortedDictionary<long, string> ReadReplica(int id, TopicPartition partition)
    {
        Assert.True(Node(id).Broker.TryGetPartitionLog(partition, out var log), $"Node {id} has no log of {partition}.");
        var records = new SortedDictionary<long, string>();
        var offset = log.LogStartOffset;
        while (offset < log.LogEndOffset)
        {
            using var read = log.Read(offset, 1 << 20, ReadLimit.LogEnd);
            foreach (var batch in RecordBatch.ReadAll(read.Records))
            {
                foreach (var record in batch.ToList())
                {
                    Assert.True(records.TryAdd(record.Offset, System.Text.Encoding.UTF8.GetString(record.Value!.Value.Span)),
                        $"Node {id} holds offset {record.Offset} twice.");
                }

                offset = batch.Header.LastOffset + 1;
            }
        }

        return records;
    }

    /// <summary>Waits until every running replica of the partition has the same log end and high watermark as the leader's log end.</summary>
    /// <summary>Waits until every running node has applied the topic (and so created its local copy): CreateTopicAsync
    /// returns once the creating node has it, and a producer on another node needs it there too.</summary>
    public async Task WaitForTopicEverywhereAsync(string topic, CancellationToken cancellationToken)
    {
        foreach (var node in Nodes.Where(n => n is not null))
        {
            await node!.WaitForMetadataAsync(m => m.Topics.ContainsKey(topic), cancellationToken);
        }
    }

    public async Task WaitForReplicasInSyncAsync(TopicPartition partition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var logs = Nodes.Where(n => n is not null).Select(n => n!.Broker.TryGetPartitionLog(partition, out var l) ? l : null).ToList();
            var end = logs.Max(l => l?.LogEndOffset ?? -1);
            if (logs.All(l => l is not null && l.LogEndOffset == end && l.HighWatermark == end))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Replicas of {partition} not in sync after {timeout}: " +
                    string.Join("; ", logs.Select((l, i) => $"LEO {l?.LogEndOffset} HW {l?.HighWatermark}")));
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < Nodes.Length; i++)
        {
            await StopNodeAsync(i);
        }

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}

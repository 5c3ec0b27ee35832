using System.Globalization;
using System.Net;
using CommitLog.Replication.Cluster;
using CommitLog.Replication.Control;
using CommitLog.Replication.Tcp;
using CommitLog.Replication.Tests.Control;

namespace CommitLog.Replication.Tests.Cluster;

/// <summary>Three cluster nodes over TCP loopback, each with its own Raft control plane: the data plane follows the
/// leaders and fences the Raft controller decides.</summary>
[Collection(RaftCollection.Name)]
public sealed class ClusterNodeRaftTests : IAsyncDisposable
{
    private static readonly TopicPartition Orders = new("orders", 0);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "commitlog-cluster-raft-" + Guid.NewGuid().ToString("N"));
    private readonly RaftTestCluster _raft = new();
    private readonly ClusterNode?[] _nodes = new ClusterNode?[3];
    private readonly TcpTransport?[] _transports = new TcpTransport?[3];
    private readonly IReadOnlyList<ControlPlaneMember> _members;

    public ClusterNodeRaftTests()
    {
        var ports = FreePorts.Take(9);
        _members = [.. Enumerable.Range(0, 3).Select(i => new ControlPlaneMember(i, new IPEndPoint(IPAddress.Loopback, ports[3 * i]),
            $"127.0.0.1:{ports[(3 * i) + 1]}", $"127.0.0.1:{ports[(3 * i) + 2]}"))];
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RaftControlPlane_LeaderNodeStopped_NewLeaderAndNoAcknowledgedRecordLost()
    {
        await Task.WhenAll(Enumerable.Range(0, 3).Select(StartAsync));
        await WaitAllAsync(m => m.Brokers.Count == 3 && m.Brokers.Values.All(b => !b.IsFenced));
        await _nodes[0]!.CreateTopicAsync("orders", 1, 3, minInsyncReplicas: 2, cancellationToken: Ct);

        // CreateTopicAsync returns once node 0 has the topic; the producer's node may apply that metadata a moment later.
        await WaitAllAsync(m => m.Partitions.ContainsKey(Orders));
        var first = await _nodes[0]!.WaitForLeaderAsync(Orders, Ct);
        var producerNode = (first.Leader + 1) % 3;
        var acked = new Dictionary<long, string>();
        await using (var producer = _nodes[producerNode]!.Broker.CreateProducer<Null, string>(new ProducerConfig(new Dictionary<string, string>
        {
            ["acks"] = "all", ["enable.idempotence"] = "true", ["linger.ms"] = "1", ["request.timeout.ms"] = "5000",
        })))
        {
            async Task SendAsync(int from, int count)
            {
                var sends = Enumerable.Range(from, count).Select(i =>
                    producer.ProduceAsync("orders", new Message<Null, string> { Value = i.ToString(CultureInfo.InvariantCulture) }, Ct).AsTask());
                foreach (var result in await Task.WhenAll(sends))
                {
                    Assert.True(acked.TryAdd(result.Offset, result.Message.Value!), $"Offset {result.Offset} acknowledged twice.");
                }
            }

            await SendAsync(0, 100);
            var inFlight = SendAsync(100, 100);
            await StopAsync(first.Leader);
            await inFlight;
            var after = await _nodes[producerNode]!.WaitForMetadataAsync(
                m => m.Partitions[Orders].Leader is var l && l >= 0 && l != first.Leader, Ct);
            Assert.True(after.Partitions[Orders].LeaderEpoch > first.LeaderEpoch);
            await SendAsync(200, 100);
        }

        await StartAsync(first.Leader);
        await WaitAllAsync(m => m.Partitions.TryGetValue(Orders, out var p) && p.Isr.Count == 3);
        for (var node = 0; node < 3; node++)
        {
            Assert.True(_nodes[node]!.Broker.TryGetPartitionLog(Orders, out var log));
            await WaitUntilAsync(() => log.LogEndOffset >= acked.Keys.Max() + 1);
            using var read = log.Read(log.LogStartOffset, 1 << 22, Storage.ReadLimit.LogEnd);
            var stored = Storage.RecordBatch.ReadAll(read.Records).ToList().SelectMany(b => b.ToList())
                .ToDictionary(r => r.Offset, r => System.Text.Encoding.UTF8.GetString(r.Value!.Value.Span));
            foreach (var (offset, value) in acked)
            {
                Assert.True(stored.TryGetValue(offset, out var found) && found == value, $"Node {node}: acknowledged {value} at {offset} is missing.");
            }

            Assert.Equal(stored.Count, stored.Values.Distinct().Count());
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < 3; i++)
        {
            await StopAsync(i);
        }

        await _raft.DisposeAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private async Task StartAsync(int id)
    {
        var transport = new TcpTransport(new TcpTransportOptions
        {
            NodeId = id.ToString(CultureInfo.InvariantCulture),
            ClusterSecret = TcpTestKit.Secret,
            KeepAliveInterval = TimeSpan.FromMilliseconds(200),
            DeadPeerTimeout = TimeSpan.FromSeconds(2),
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(300),
        });
        _transports[id] = transport;
        _nodes[id] = await ClusterNode.StartAsync(new ClusterNodeOptions
        {
            NodeId = id,
            DataDirectory = Path.Combine(_root, "data-" + id.ToString(CultureInfo.InvariantCulture)),
            ListenAddress = _members[id].BrokerAddress,
            Transport = transport,
            ControlPlane = new RaftControlPlane(_raft.Options(id, members: _members)),
            ReplicaLagTimeMax = TimeSpan.FromSeconds(3),
            ReplicaFetchWaitMax = TimeSpan.FromMilliseconds(200),
            RequestTimeout = TimeSpan.FromSeconds(5),
        }, Ct);
    }

    private async Task StopAsync(int id)
    {
        if (_nodes[id] is { } node)
        {
            _nodes[id] = null;
            await node.DisposeAsync();
        }

        if (_transports[id] is { } transport)
        {
            _transports[id] = null;
            await transport.DisposeAsync();
        }
    }

    private async Task WaitAllAsync(Func<ClusterMetadata, bool> condition)
        => await WaitUntilAsync(() => _nodes.Where(n => n is not null).All(n => condition(n!.Metadata)));

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for the cluster.");
            await Task.Delay(20, Ct);
        }
    }
}

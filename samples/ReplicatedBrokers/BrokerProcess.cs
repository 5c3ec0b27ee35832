using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using CommitLog;
using CommitLog.Replication.Cluster;
using CommitLog.Replication.Control;
using CommitLog.Replication.Tcp;

namespace ReplicatedBrokers;

/// <summary>
/// One broker: a Raft control-plane voter and a cluster node replicating over TCP (mutual TLS and the cluster secret).
/// It answers the supervisor's commands on stdin with one line each on stdout.
/// </summary>
internal static class BrokerProcess
{
    public static async Task<int> RunAsync(int nodeId, string configFile)
    {
        var cluster = SampleCluster.Load(configFile);
        var me = cluster.Nodes[nodeId];
        var secret = Convert.FromBase64String(cluster.Secret);
        using var certificate = X509CertificateLoader.LoadPkcs12FromFile(cluster.CertificateFile, null);
        var tls = new TcpTlsOptions { Certificate = certificate, TrustedPeers = [certificate] };
        var dataDirectory = Path.Combine(cluster.DataRoot, $"broker-{nodeId}");

        var controlPlane = new RaftControlPlane(new RaftControlPlaneOptions
        {
            NodeId = nodeId,
            Members = [.. cluster.Nodes.Select(n => new ControlPlaneMember(
                n.NodeId, new IPEndPoint(IPAddress.Loopback, n.RaftPort), n.RequestAddress, n.BrokerAddress))],
            DataDirectory = Path.Combine(dataDirectory, "raft"),
            Tls = tls,
            ClusterSecret = secret,
        });
        await using var transport = new TcpTransport(new TcpTransportOptions
        {
            NodeId = nodeId.ToString(CultureInfo.InvariantCulture),
            ClusterSecret = secret,
            Tls = tls,
        });
        await using var node = await ClusterNode.StartAsync(new ClusterNodeOptions
        {
            NodeId = nodeId,
            DataDirectory = Path.Combine(dataDirectory, "log"),
            ListenAddress = me.BrokerAddress,
            Transport = transport,
            ControlPlane = controlPlane,
        });
        Console.WriteLine($"ready {nodeId}");

        IProducer<Null, string>? producer = null;
        try
        {
            while (Console.ReadLine() is { } line)
            {
                var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                switch (words)
                {
                    case ["create"]:
                        // The controller registers each broker once it has heard from it; wait for all three.
                        await node.WaitForMetadataAsync(m => m.Brokers.Values.Count(b => !b.IsFenced) == 3);
                        await node.CreateTopicAsync(SampleCluster.Topic, partitions: 1, replicationFactor: 3, minInsyncReplicas: 2);
                        Console.WriteLine("created");
                        break;
                    case ["produce", var from, var count]:
                        // A broker learns about a new topic from the control plane a moment after the one that created it.
                        await node.WaitForMetadataAsync(m => m.Topics.ContainsKey(SampleCluster.Topic));
                        producer ??= node.Broker.CreateProducer<Null, string>(new ProducerConfig { Acks = Acks.All, EnableIdempotence = true });
                        Console.WriteLine(await ProduceAsync(producer, int.Parse(from, CultureInfo.InvariantCulture), int.Parse(count, CultureInfo.InvariantCulture)));
                        break;
                    case ["status"]:
                        Console.WriteLine(Status(node));
                        break;
                    case ["verify", var expected]:
                        Console.WriteLine(Verify(node, int.Parse(expected, CultureInfo.InvariantCulture)));
                        break;
                    case ["exit"]:
                        return 0;
                    default:
                        Console.WriteLine($"unknown command '{line}'");
                        break;
                }
            }
        }
        finally
        {
            if (producer is not null)
            {
                await producer.DisposeAsync();
            }
        }

        return 0;
    }

    /// <summary>Produces payment-<paramref name="from"/>... in order with acks=all; reports when the first acknowledgement came.</summary>
    private static async Task<string> ProduceAsync(IProducer<Null, string> producer, int from, int count)
    {
        var clock = Stopwatch.StartNew();
        var first = await producer.ProduceAsync(SampleCluster.Topic, new Message<Null, string> { Value = $"payment-{from}" });
        var firstAck = clock.Elapsed;
        var rest = Enumerable.Range(from + 1, count - 1)
            .Select(i => producer.ProduceAsync(SampleCluster.Topic, new Message<Null, string> { Value = $"payment-{i}" }).AsTask())
            .ToArray();
        var results = await Task.WhenAll(rest);
        var last = results.Length > 0 ? results[^1].Offset.Value : first.Offset.Value;
        return $"produced {count} offsets {first.Offset.Value}..{last} first-ack-ms {firstAck.TotalMilliseconds:F0} total-ms {clock.Elapsed.TotalMilliseconds:F0}";
    }

    private static string Status(ClusterNode node)
    {
        var metadata = node.Metadata;
        var tp = new TopicPartition(SampleCluster.Topic, 0);
        if (!metadata.Partitions.TryGetValue(tp, out var state))
        {
            return $"status node {node.NodeId} controller {metadata.ControllerId} no-topic";
        }

        var described = node.Broker.Admin.DescribeTopicAsync(SampleCluster.Topic).AsTask().GetAwaiter().GetResult().Partitions[0];
        return $"status node {node.NodeId} controller {metadata.ControllerId} leader {state.Leader} epoch {state.LeaderEpoch} " +
            $"isr {string.Join(",", state.Isr)} hw {described.HighWatermark} leo {described.LogEndOffset}";
    }

    /// <summary>Reads this broker's own replica below its high watermark: every payment must be there exactly once.</summary>
    private static string Verify(ClusterNode node, int expected)
    {
        using var consumer = node.Broker.CreateConsumer<Null, string>(new ConsumerConfig { GroupId = $"verify-{node.NodeId}", EnablePartitionEof = true, EnableAutoCommit = false });
        consumer.Assign([new TopicPartitionOffset(SampleCluster.Topic, 0, Offset.Beginning)]);
        var seen = new HashSet<string>();
        var records = 0;
        while (consumer.Consume(TimeSpan.FromSeconds(5)) is { IsPartitionEOF: false } result)
        {
            records++;
            seen.Add(result.Message.Value ?? "");
        }

        var missing = Enumerable.Range(1, expected).Count(i => !seen.Contains($"payment-{i}"));
        return $"verify node {node.NodeId} records {records} distinct {seen.Count} missing {missing}";
    }
}

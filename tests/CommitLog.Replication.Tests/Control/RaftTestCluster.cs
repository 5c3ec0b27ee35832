using System.Net;
using System.Security.Cryptography.X509Certificates;
using CommitLog.Replication.Control;
using CommitLog.Replication.Tcp;

namespace CommitLog.Replication.Tests.Control;

/// <summary>Three (or more) Raft control-plane nodes on loopback in this process, with short test timeouts.</summary>
internal sealed class RaftTestCluster : IAsyncDisposable
{
    public static readonly TimeSpan ElectionTimeout = TimeSpan.FromMilliseconds(300);
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromMilliseconds(1000);

    private readonly X509Certificate2[] _certificates;
    private readonly string _root;

    public RaftTestCluster(int nodes = 3)
    {
        _root = Path.Combine(Path.GetTempPath(), "commitlog-raft-" + Guid.NewGuid().ToString("N"));
        int[] ports = FreePorts.Take(nodes * 2);
        Members = [.. Enumerable.Range(0, nodes).Select(i => new ControlPlaneMember(
            i, new IPEndPoint(IPAddress.Loopback, ports[2 * i]), $"127.0.0.1:{ports[2 * i + 1]}", $"broker-{i}:9093"))];
        _certificates = [.. Enumerable.Range(0, nodes).Select(i => TestCertificates.Create($"node-{i}"))];
        Nodes = new RaftControlPlane?[nodes];
    }

    public IReadOnlyList<ControlPlaneMember> Members { get; }

    public RaftControlPlane?[] Nodes { get; }

    public IEnumerable<RaftControlPlane> Running => Nodes.Where(n => n is not null)!;

    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }

    public RaftControlPlaneOptions Options(int nodeId, X509Certificate2? certificate = null, IReadOnlyList<ControlPlaneMember>? members = null) => new()
    {
        NodeId = nodeId,
        Members = members ?? Members,
        DataDirectory = Path.Combine(_root, $"node-{nodeId}"),
        Tls = new TcpTlsOptions { Certificate = certificate ?? _certificates[nodeId], TrustedPeers = [.. _certificates] },
        ClusterSecret = TcpTestKit.Secret,
        ElectionTimeout = ElectionTimeout,
        HeartbeatInterval = TimeSpan.FromMilliseconds(50),
        BrokerSessionTimeout = SessionTimeout,
        RequestTimeout = TimeSpan.FromMilliseconds(500),
        SnapshotInterval = 5,
        LoggerFactory = LoggerFactory,
    };

    public async Task StartAsync(int nodeId, CancellationToken ct)
    {
        var node = new RaftControlPlane(Options(nodeId));
        await node.StartAsync(ct);
        Nodes[nodeId] = node;
    }

    public async Task StartAllAsync(CancellationToken ct)
    {
        for (int i = 0; i < Nodes.Length; i++)
        {
            await StartAsync(i, ct);
        }
    }

    public async Task StopAsync(int nodeId)
    {
        if (Nodes[nodeId] is { } node)
        {
            Nodes[nodeId] = null;
            await node.DisposeAsync();
        }
    }

    /// <summary>Waits until exactly one running node is controller and every running node agrees on it.</summary>
    public async Task<RaftControlPlane> WaitForControllerAsync(CancellationToken ct)
    {
        while (true)
        {
            RaftControlPlane[] leaders = [.. Running.Where(n => n.IsController)];
            if (leaders.Length == 1 && Running.All(n => n.ControllerId == leaders[0].NodeId))
            {
                return leaders[0];
            }

            await Task.Delay(10, ct);
        }
    }

    /// <summary>Waits until every running node has applied metadata satisfying <paramref name="condition"/>.</summary>
    public async Task WaitForAllAsync(Func<ClusterMetadata, bool> condition, CancellationToken ct)
    {
        while (!Running.All(n => condition(n.Metadata)))
        {
            await Task.Delay(10, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (int i = 0; i < Nodes.Length; i++)
        {
            await StopAsync(i);
        }

        foreach (X509Certificate2 certificate in _certificates)
        {
            certificate.Dispose();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

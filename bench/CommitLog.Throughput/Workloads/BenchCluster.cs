using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CommitLog.Replication.Cluster;
using CommitLog.Replication.Control;
using CommitLog.Replication.Tcp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CommitLog.Throughput.Workloads;

/// <summary>
/// Three cluster nodes in this process, each with its own Raft control-plane voter, TCP transport (mutual TLS + cluster
/// secret) and data directory, on loopback ports. A node can be stopped (its peers see it vanish, as after a crash: no
/// goodbye is sent) and started again on the same directory and ports. Default timeouts throughout.
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    private readonly string _root;
    private readonly X509Certificate2 _certificate;
    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);
    private readonly int[] _ports;
    private readonly TimeSpan? _sessionTimeout;
    private readonly ILoggerFactory? _logs = TimestampedConsoleLogs.FromEnvironment();
    private readonly (ClusterNode Node, TcpTransport Transport)?[] _nodes = new (ClusterNode, TcpTransport)?[3];

    public BenchCluster(string root, TimeSpan? sessionTimeout)
    {
        _sessionTimeout = sessionTimeout;
        _root = root;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _certificate = new CertificateRequest("CN=bench", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        _ports = FreePorts(9);
    }

    public RaftControlPlaneOptions RaftOptions(int id)
    {
        var members = Enumerable.Range(0, 3).Select(i => new ControlPlaneMember(
            i, new IPEndPoint(IPAddress.Loopback, _ports[3 * i]), Address(3 * i + 1), Address(3 * i + 2))).ToArray();
        var tls = new TcpTlsOptions { Certificate = _certificate, TrustedPeers = [_certificate] };
        var directory = Path.Combine(_root, $"node-{id}", "raft");
        return _sessionTimeout is { } session
            ? new RaftControlPlaneOptions { NodeId = id, Members = members, DataDirectory = directory, Tls = tls, ClusterSecret = _secret, BrokerSessionTimeout = session, LoggerFactory = _logs }
            : new RaftControlPlaneOptions { NodeId = id, Members = members, DataDirectory = directory, Tls = tls, ClusterSecret = _secret, LoggerFactory = _logs };
    }

    public ClusterNode Node(int id) => _nodes[id]?.Node ?? throw new InvalidOperationException($"Node {id} is stopped.");

    public bool IsRunning(int id) => _nodes[id] is not null;

    public async Task StartAsync(int id)
    {
        var transport = new TcpTransport(new TcpTransportOptions
        {
            NodeId = id.ToString(CultureInfo.InvariantCulture),
            ClusterSecret = _secret,
            Tls = new TcpTlsOptions { Certificate = _certificate, TrustedPeers = [_certificate] },
        });
        var node = await ClusterNode.StartAsync(new ClusterNodeOptions
        {
            NodeId = id,
            DataDirectory = Path.Combine(_root, $"node-{id}", "log"),
            ListenAddress = Address(3 * id + 2),
            Transport = transport,
            ControlPlane = new RaftControlPlane(RaftOptions(id)),
            LoggerFactory = _logs ?? NullLoggerFactory.Instance,
        }).ConfigureAwait(false);
        _nodes[id] = (node, transport);
    }

    public async Task StopAsync(int id)
    {
        if (_nodes[id] is { } running)
        {
            _nodes[id] = null;
            await running.Transport.DisposeAsync().ConfigureAwait(false);
            await running.Node.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Waits until a running node sees every node unfenced and <paramref name="condition"/> holds.</summary>
    public async Task<ClusterMetadata> WaitAsync(int observer, Func<ClusterMetadata, bool> condition, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        return await Node(observer).WaitForMetadataAsync(condition, cancel.Token).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < _nodes.Length; i++)
        {
            await StopAsync(i).ConfigureAwait(false);
        }

        _certificate.Dispose();
    }

    private string Address(int port) => $"127.0.0.1:{_ports[port]}";

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        Array.ForEach(listeners, l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        Array.ForEach(listeners, l => l.Stop());
        return ports;
    }
}

using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace ReplicatedBrokers;

/// <summary>The cluster's shared settings, written by the supervisor to a file every broker process reads.</summary>
internal sealed record SampleCluster(string DataRoot, string CertificateFile, string Secret, NodePorts[] Nodes)
{
    public const string Topic = "payments";

    public static SampleCluster Create(string dataRoot)
    {
        Directory.CreateDirectory(dataRoot);

        // One self-signed certificate shared by the three brokers keeps the sample short; in production each node has its
        // own, and every node lists the others' in TcpTlsOptions.TrustedPeers.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=replicated-brokers-sample", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        var certificateFile = Path.Combine(dataRoot, "cluster.pfx");
        File.WriteAllBytes(certificateFile, certificate.Export(X509ContentType.Pfx));

        var ports = FreePorts(9);
        var nodes = Enumerable.Range(0, 3).Select(i => new NodePorts(i, ports[3 * i], ports[3 * i + 1], ports[3 * i + 2])).ToArray();
        return new SampleCluster(dataRoot, certificateFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), nodes);
    }

    public static SampleCluster Load(string file) => JsonSerializer.Deserialize<SampleCluster>(File.ReadAllText(file))!;

    public void Save(string file) => File.WriteAllText(file, JsonSerializer.Serialize(this));

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        foreach (var listener in listeners)
        {
            listener.Start();
        }

        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var listener in listeners)
        {
            listener.Stop();
        }

        return ports;
    }
}

/// <summary>One broker's ports on loopback: Raft (control plane), forwarded control requests, replication (data plane).</summary>
internal sealed record NodePorts(int NodeId, int RaftPort, int RequestPort, int BrokerPort)
{
    public string BrokerAddress => $"127.0.0.1:{BrokerPort}";

    public string RequestAddress => $"127.0.0.1:{RequestPort}";
}

using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CommitLog.IntegrationTests.Cluster;

/// <summary>Ports and certificates for the real-process cluster tests.</summary>
internal static class ClusterTestKit
{
    /// <summary>Distinct free loopback ports (all held at once while they are picked).</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    /// <summary>Writes self-signed node certificates for the Raft control plane's mutual TLS into <paramref name="directory"/>:
    /// node-i.pfx (with key) and node-i.cer for i below <paramref name="nodes"/>; returns the directory.</summary>
    public static string WriteCertificates(string directory, int nodes)
    {
        Directory.CreateDirectory(directory);
        for (var i = 0; i < nodes; i++)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN=node-{i}", key, HashAlgorithmName.SHA256);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            File.WriteAllBytes(Path.Combine(directory, $"node-{i}.pfx"), certificate.Export(X509ContentType.Pkcs12));
            File.WriteAllBytes(Path.Combine(directory, $"node-{i}.cer"), certificate.Export(X509ContentType.Cert));
        }

        return directory;
    }
}

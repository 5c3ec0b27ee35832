using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using CommitLog.Replication.Control;
using CommitLog.Replication.Tcp;

namespace CommitLog.ClusterChild;

/// <summary>Builds a node's <see cref="RaftControlPlane"/> from the child's arguments: <c>members=id:raftPort:requestPort:brokerPort,...</c>
/// (all on 127.0.0.1) and <c>certs=&lt;dir&gt;</c> holding <c>node-&lt;id&gt;.pfx</c> (with its key) and every <c>node-&lt;id&gt;.cer</c>.</summary>
internal static class RaftPlane
{
    public static IReadOnlyList<ControlPlaneMember> ParseMembers(string members) => [.. members.Split(',').Select(m =>
    {
        var p = m.Split(':').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        return new ControlPlaneMember(p[0], new IPEndPoint(IPAddress.Loopback, p[1]), $"127.0.0.1:{p[2]}", $"127.0.0.1:{p[3]}");
    })];

    public static RaftControlPlane Create(int nodeId, IReadOnlyList<ControlPlaneMember> members, string certificates, string dataDirectory, byte[] secret)
        => new(new RaftControlPlaneOptions
        {
            NodeId = nodeId,
            Members = members,
            DataDirectory = dataDirectory,
            Tls = new TcpTlsOptions
            {
                Certificate = X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(certificates, $"node-{nodeId}.pfx"), password: null),
                TrustedPeers = [.. Directory.GetFiles(certificates, "node-*.cer").Order(StringComparer.Ordinal).Select(X509CertificateLoader.LoadCertificateFromFile)],
            },
            ClusterSecret = secret,
            ElectionTimeout = TimeSpan.FromMilliseconds(500),
            HeartbeatInterval = TimeSpan.FromMilliseconds(100),
            BrokerSessionTimeout = TimeSpan.FromMilliseconds(1500),
            RequestTimeout = TimeSpan.FromMilliseconds(500),
        });
}

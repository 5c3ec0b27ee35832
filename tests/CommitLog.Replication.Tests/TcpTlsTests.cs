using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CommitLog.Replication.Tcp;
using CommitLog.Replication.Transport;

namespace CommitLog.Replication.Tests;

public sealed class TcpTlsTests
{
    private static X509Certificate2 CreateCertificate(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static TcpTransport Create(string nodeId, X509Certificate2 own, int maxConnectAttempts, params X509Certificate2[] trusted) =>
        new(new TcpTransportOptions
        {
            NodeId = nodeId,
            ClusterSecret = TcpTestKit.Secret,
            MaxConnectAttempts = maxConnectAttempts,
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(50),
            Tls = new TcpTlsOptions { Certificate = own, TrustedPeers = [.. trusted] },
        });

    [Fact]
    public async Task Tls_TrustedCertificates_FramesRoundTrip()
    {
        CancellationToken ct = TcpTestKit.Timeout();
        using X509Certificate2 serverCert = CreateCertificate("server");
        using X509Certificate2 clientCert = CreateCertificate("client");
        await using TcpTransport server = Create("server", serverCert, 1, clientCert);
        await using TcpTransport client = Create("client", clientCert, 1, serverCert);
        await using IReplicationListener listener = await server.ListenAsync("127.0.0.1:0", ct);
        await using IReplicationConnection dialed = await client.ConnectAsync(listener.Address, ct);
        await using IReplicationConnection accepted = await listener.AcceptAsync(ct);
        for (int i = 0; i < 20; i++)
        {
            await dialed.SendAsync(1, BitConverter.GetBytes(i), ct);
        }

        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(i, BitConverter.ToInt32((await accepted.ReceiveAsync(ct)).Payload.Span));
        }

        Assert.Equal("client", accepted.RemoteNodeId);
    }

    [Fact]
    public async Task Tls_UntrustedClientCertificate_RefusedAndCounted()
    {
        CancellationToken ct = TcpTestKit.Timeout();
        using X509Certificate2 serverCert = CreateCertificate("server");
        using X509Certificate2 memberCert = CreateCertificate("member");
        using X509Certificate2 intruderCert = CreateCertificate("intruder");
        await using TcpTransport server = Create("server", serverCert, 1, memberCert);
        await using TcpTransport intruder = Create("intruder", intruderCert, 1, serverCert);
        using var failures = new CounterProbe(server.Metrics.Meter, "commitlog.replication.auth.failures");
        await using IReplicationListener listener = await server.ListenAsync("127.0.0.1:0", ct);

        await Assert.ThrowsAnyAsync<TransportException>(async () => await intruder.ConnectAsync(listener.Address, ct));
        await TcpTestKit.WaitUntilAsync(() => failures.Total == 1);
        using var shortWait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        shortWait.CancelAfter(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await listener.AcceptAsync(shortWait.Token));
    }

    [Fact]
    public async Task Tls_UntrustedServerCertificate_DialerRefuses()
    {
        CancellationToken ct = TcpTestKit.Timeout();
        using X509Certificate2 serverCert = CreateCertificate("server");
        using X509Certificate2 clientCert = CreateCertificate("client");
        using X509Certificate2 otherCert = CreateCertificate("other");
        await using TcpTransport server = Create("server", serverCert, 1, clientCert);
        await using TcpTransport client = Create("client", clientCert, 1, otherCert);
        using var failures = new CounterProbe(client.Metrics.Meter, "commitlog.replication.auth.failures");
        await using IReplicationListener listener = await server.ListenAsync("127.0.0.1:0", ct);

        await Assert.ThrowsAsync<AuthenticationFailedException>(async () => await client.ConnectAsync(listener.Address, ct));
        Assert.Equal(1, failures.Total);
    }
}

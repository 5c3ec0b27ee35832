using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CommitLog.Replication.Tcp;

namespace CommitLog.Replication.Tests;

/// <summary>
/// A dial the caller cancels reports <see cref="OperationCanceledException"/>, whatever stage it was in and whatever the
/// socket or TLS layer threw on the way out: a node that shuts down while it dials must not see a raw socket error.
/// </summary>
public sealed class TcpConnectCancelTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ConnectAsync_CanceledDuringHandshake_ThrowsOperationCanceled(bool tls)
    {
        using var certificate = CreateCertificate();
        // A peer that accepts the TCP connection and never says a word: the dial waits in the handshake.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        silent.Listen(16);
        var accepted = new List<Socket>();
        var acceptLoop = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    accepted.Add(await silent.AcceptAsync());
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }, TestContext.Current.CancellationToken);

        for (var attempt = 0; attempt < 5; attempt++)
        {
            await using var client = new TcpTransport(new TcpTransportOptions
            {
                NodeId = "client",
                ClusterSecret = TcpTestKit.Secret,
                MaxConnectAttempts = 3,
                HandshakeTimeout = TimeSpan.FromSeconds(30),
                Tls = tls ? new TcpTlsOptions { Certificate = certificate, TrustedPeers = [certificate] } : null,
            });
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            cancel.CancelAfter(TimeSpan.FromMilliseconds(50 + (attempt * 40)));
            var started = DateTime.UtcNow;
            var error = await Record.ExceptionAsync(async () => await client.ConnectAsync(silent.LocalEndPoint!.ToString()!, cancel.Token));
            Assert.IsAssignableFrom<OperationCanceledException>(error);
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "the canceled dial returned promptly");
        }

        silent.Dispose();
        await acceptLoop;
        accepted.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task ConnectAsync_CanceledBetweenRefusedAttempts_ThrowsOperationCanceled()
    {
        // Nothing listens: every attempt is refused and the dial backs off between attempts; canceling then must not
        // surface the last refusal as a TransportException or SocketException.
        var port = FreePort();
        await using var client = new TcpTransport(new TcpTransportOptions
        {
            NodeId = "client",
            ClusterSecret = TcpTestKit.Secret,
            MaxConnectAttempts = 1000,
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(40),
        });
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(300));
        var error = await Record.ExceptionAsync(async () => await client.ConnectAsync($"127.0.0.1:{port}", cancel.Token));
        Assert.IsAssignableFrom<OperationCanceledException>(error);
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest("CN=cancel", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }
}

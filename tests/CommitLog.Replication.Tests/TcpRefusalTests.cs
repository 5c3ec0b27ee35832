using System.Net;
using System.Net.Sockets;
using CommitLog.Replication.Tcp;
using CommitLog.Replication.Transport;
using Microsoft.Extensions.Logging;

namespace CommitLog.Replication.Tests;

public sealed class TcpRefusalTests
{
    private static TcpTransport Create(string nodeId, byte[] secret, CapturingLoggerFactory logs, TimeSpan handshakeTimeout) =>
        new(new TcpTransportOptions
        {
            NodeId = nodeId,
            ClusterSecret = secret,
            HandshakeTimeout = handshakeTimeout,
            MaxConnectAttempts = 1,
            LoggerFactory = logs,
        });

    [Fact]
    public async Task WrongSecret_BothSidesLogAClearWarning()
    {
        CancellationToken ct = TcpTestKit.Timeout();
        var serverLogs = new CapturingLoggerFactory();
        var clientLogs = new CapturingLoggerFactory();
        await using TcpTransport server = Create("server", TcpTestKit.Secret, serverLogs, TimeSpan.FromSeconds(5));
        await using TcpTransport client = Create("client", "a-different-secret-0123456789abc"u8.ToArray(), clientLogs, TimeSpan.FromSeconds(5));
        await using IReplicationListener listener = await server.ListenAsync("127.0.0.1:0", ct);

        await Assert.ThrowsAsync<AuthenticationFailedException>(async () => await client.ConnectAsync(listener.Address, ct));
        await TcpTestKit.WaitUntilAsync(() => serverLogs.Lines.Any(l => l.Level == LogLevel.Warning));
        Assert.Contains(serverLogs.Lines, l => l.Level == LogLevel.Warning
            && l.Message.Contains("Refused replication peer", StringComparison.Ordinal)
            && l.Message.Contains("'client' failed the cluster-secret challenge", StringComparison.Ordinal));
        Assert.Contains(clientLogs.Lines, l => l.Level == LogLevel.Warning
            && l.Message.Contains("'server' failed the cluster-secret challenge", StringComparison.Ordinal));
        Assert.DoesNotContain(serverLogs.Lines, l => l.Message.Contains("authenticated", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SilentPeerDuringHandshake_TimesOutRefusedAndSocketClosed()
    {
        CancellationToken ct = TcpTestKit.Timeout();
        var logs = new CapturingLoggerFactory();
        await using TcpTransport server = Create("server", TcpTestKit.Secret, logs, TimeSpan.FromMilliseconds(200));
        using var failures = new CounterProbe(server.Metrics.Meter, "commitlog.replication.auth.failures");
        await using IReplicationListener listener = await server.ListenAsync("127.0.0.1:0", ct);

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPEndPoint.Parse(listener.Address), ct);
        byte[] buffer = new byte[4096];
        int read;
        do
        {
            read = await socket.ReceiveAsync(buffer, ct); // the server's Hello, then end of stream when it gives up
        }
        while (read > 0);

        Assert.Equal(1, failures.Total);
        Assert.Contains(logs.Lines, l => l.Message.Contains("timed out", StringComparison.Ordinal));
    }
}

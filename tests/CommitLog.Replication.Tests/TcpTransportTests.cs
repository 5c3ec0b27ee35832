using CommitLog.Replication.Tcp;
using CommitLog.Replication.Transport;

namespace CommitLog.Replication.Tests;

public sealed class TcpTransportTests
{
    [Fact]
    public async Task Frames_Loopback_RoundTripInOrderBothWays()
    {
        CancellationToken ct = TcpTestKit.Timeout();
        await using TcpTransport server = TcpTestKit.Create("server");
        await using TcpTransport client = TcpTestKit.Create("client");
        await using IReplicationListener listener = await server.ListenAsync("127.0.0.1:0", ct);
        await using IReplicationConnection dialed = await client.ConnectAsync(listener.Address, ct);
        await using IReplicationConnection accepted = await listener.AcceptAsync(ct);
        Assert.Equal("server", dialed.RemoteNodeId);
        Assert.Equal("client", accepted.RemoteNodeId);

        var random = new Random(17);
        byte[][] payloads = [.. Enumerable.Range(0, 200).Select(i => RandomBytes(random, i == 0 ? 0 : random.Next(0, 5000)))];
        payloads[1] = RandomBytes(random, 64 * 1024); // exactly the limit
        Task sending = Task.Run(async () =>
        {
            for (int i = 0; i < payloads.Length; i++)
            {
                await dialed.SendAsync((byte)(i % 128), payloads[i], ct);
            }
        }, ct);
        for (int i = 0; i < payloads.Length; i++)
        {
            ReplicationFrame frame = await accepted.ReceiveAsync(ct);
            Assert.Equal((byte)(i % 128), frame.Type);
            Assert.Equal(payloads[i], frame.Payload.ToArray());
        }

        await sending;
        await accepted.SendAsync(3, new byte[] { 42 }, ct);
        Assert.Equal(42, (await dialed.ReceiveAsync(ct)).Payload.Span[0]);

        await dialed.DisposeAsync();
        await dialed.DisposeAsync(); // idempotent
        await Assert.ThrowsAsync<ConnectionClosedException>(async () => await accepted.ReceiveAsync(ct));
    }

    [Fact]
    public async Task Send_LargerThanMax_ThrowsAndClosesConnection()
    {
        CancellationToken ct = TcpTestKit.Timeout();
        await using TcpTransport server = TcpTestKit.Create("server", maxFrameBytes: 1024);
        await using TcpTransport client = TcpTestKit.Create("client", maxFrameBytes: 1024);
        await using IReplicationListener listener = await server.ListenAsync("127.0.0.1:0", ct);
        await using IReplicationConnection dialed = await client.ConnectAsync(listener.Address, ct);
        await using IReplicationConnection accepted = await listener.AcceptAsync(ct);

        var ex = await Assert.ThrowsAsync<FrameTooLargeException>(async () => await dialed.SendAsync(1, new byte[1025], ct));
        Assert.Equal(1024, ex.MaxFrameBytes);
        Assert.NotNull(dialed.CloseReason);
        await Assert.ThrowsAsync<ConnectionClosedException>(async () => await accepted.ReceiveAsync(ct));
        await Assert.ThrowsAsync<ConnectionClosedException>(async () => await dialed.SendAsync(1, new byte[1], ct));
    }

    [Fact]
    public async Task Handshake_WrongSecret_RefusedOnBothSidesNothingDelivered()
    {
        CancellationToken ct = TcpTestKit.Timeout();
        await using TcpTransport server = TcpTestKit.Create("server");
        await using TcpTransport intruder = TcpTestKit.Create("intruder", secret: "another-secret-of-32-bytes-long!"u8.ToArray());
        using var serverFailures = new CounterProbe(server.Metrics.Meter, "commitlog.replication.auth.failures");
        using var clientFailures = new CounterProbe(intruder.Metrics.Meter, "commitlog.replication.auth.failures");
        await using IReplicationListener listener = await server.ListenAsync("127.0.0.1:0", ct);

        var ex = await Assert.ThrowsAsync<AuthenticationFailedException>(
            async () => await intruder.ConnectAsync(listener.Address, ct));
        Assert.Contains("secret", ex.Message, StringComparison.Ordinal);
        await TcpTestKit.WaitUntilAsync(() => serverFailures.Total == 1);
        Assert.Equal(1, clientFailures.Total);

        using var shortWait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        shortWait.CancelAfter(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await listener.AcceptAsync(shortWait.Token));

        // The listener still serves members of the cluster.
        await using TcpTransport member = TcpTestKit.Create("member");
        await using IReplicationConnection ok = await member.ConnectAsync(listener.Address, ct);
        await using IReplicationConnection accepted = await listener.AcceptAsync(ct);
        Assert.Equal("member", accepted.RemoteNodeId);
    }

    [Fact]
    public async Task Connect_ListenerRestarts_DialerRetriesWithBackoffAndReconnects()
    {
        CancellationToken ct = TcpTestKit.Timeout();
        await using TcpTransport server = TcpTestKit.Create("server");
        await using TcpTransport client = TcpTestKit.Create("client");
        using var retries = new CounterProbe(client.Metrics.Meter, "commitlog.replication.dial.retries");
        IReplicationListener listener = await server.ListenAsync("127.0.0.1:0", ct);
        string address = listener.Address;
        IReplicationConnection first = await client.ConnectAsync(address, ct);
        IReplicationConnection firstAccepted = await listener.AcceptAsync(ct);
        await first.SendAsync(1, new byte[] { 1 }, ct);
        Assert.Equal(1, (await firstAccepted.ReceiveAsync(ct)).Payload.Span[0]);

        // The listening node goes away: its listener and its connections close.
        await listener.DisposeAsync();
        await firstAccepted.DisposeAsync();
        await Assert.ThrowsAsync<ConnectionClosedException>(async () => await first.ReceiveAsync(ct));
        await first.DisposeAsync();

        Task<IReplicationConnection> redial = client.ConnectAsync(address, ct).AsTask();
        await TcpTestKit.WaitUntilAsync(() => retries.Total >= 2);
        Assert.False(redial.IsCompleted);

        await using IReplicationListener restarted = await server.ListenAsync(address, ct);
        await using IReplicationConnection second = await redial;
        await using IReplicationConnection secondAccepted = await restarted.AcceptAsync(ct);
        await second.SendAsync(2, new byte[] { 2 }, ct);
        Assert.Equal(2, (await secondAccepted.ReceiveAsync(ct)).Payload.Span[0]);
    }

    [Fact]
    public async Task KeepAlive_IdleButAlivePeers_StayConnected()
    {
        CancellationToken ct = TcpTestKit.Timeout();
        // A dead-peer timeout far above the ping interval, so a loaded machine's scheduling gaps (tests run in
        // parallel on two cores) do not look like a dead peer; without pings the connections would close after 1 s.
        TimeSpan keepAlive = TimeSpan.FromMilliseconds(50);
        TimeSpan deadPeer = TimeSpan.FromMilliseconds(1000);
        await using TcpTransport server = TcpTestKit.Create("server", keepAlive: keepAlive, deadPeer: deadPeer);
        await using TcpTransport client = TcpTestKit.Create("client", keepAlive: keepAlive, deadPeer: deadPeer);
        await using IReplicationListener listener = await server.ListenAsync("127.0.0.1:0", ct);
        await using IReplicationConnection dialed = await client.ConnectAsync(listener.Address, ct);
        await using IReplicationConnection accepted = await listener.AcceptAsync(ct);

        await Task.Delay(TimeSpan.FromMilliseconds(2500), ct); // > 2 dead-peer timeouts with no data
        Assert.Null(dialed.CloseReason);
        Assert.Null(accepted.CloseReason);
        await dialed.SendAsync(5, new byte[] { 5 }, ct);
        ReplicationFrame frame = await accepted.ReceiveAsync(ct);
        Assert.Equal(5, frame.Type); // pings are never delivered as frames
    }

    [Fact]
    public async Task KeepAlive_SilentPeer_ClosedAsDeadWithMetric()
    {
        CancellationToken ct = TcpTestKit.Timeout();
        await using TcpTransport server = TcpTestKit.Create(
            "server", keepAlive: TimeSpan.FromMilliseconds(40), deadPeer: TimeSpan.FromMilliseconds(250));
        await using TcpTransport silent = TcpTestKit.Create(
            "silent", keepAlive: Timeout.InfiniteTimeSpan, deadPeer: Timeout.InfiniteTimeSpan);
        using var dead = new CounterProbe(server.Metrics.Meter, "commitlog.replication.peers.dead");
        await using IReplicationListener listener = await server.ListenAsync("127.0.0.1:0", ct);
        await using IReplicationConnection dialed = await silent.ConnectAsync(listener.Address, ct);
        await using IReplicationConnection accepted = await listener.AcceptAsync(ct);

        var closed = await Assert.ThrowsAsync<ConnectionClosedException>(async () => await accepted.ReceiveAsync(ct));
        Assert.Contains("Dead peer", closed.Message, StringComparison.Ordinal);
        Assert.Equal(1, dead.Total);
        await Assert.ThrowsAsync<ConnectionClosedException>(async () => await dialed.ReceiveAsync(ct));
    }

    [Fact]
    public void Options_Invalid_ClearException()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TcpTransport(new TcpTransportOptions { NodeId = "a", ClusterSecret = new byte[8] }));
        Assert.Contains("at least 16 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpTransport(new TcpTransportOptions
        {
            NodeId = "a", ClusterSecret = TcpTestKit.Secret, KeepAliveInterval = TimeSpan.FromSeconds(5), DeadPeerTimeout = TimeSpan.FromSeconds(1),
        }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpTransport(new TcpTransportOptions
        {
            NodeId = "a", ClusterSecret = TcpTestKit.Secret, MaxFrameBytes = 0,
        }));
    }

    [Fact]
    public void Backoff_Seeded_GrowsExponentiallyWithJitterUpToCap()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), new Random(3));
        var again = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), new Random(3));
        for (int attempt = 0; attempt < 40; attempt++)
        {
            double capped = Math.Min(100 * Math.Pow(2, Math.Min(attempt, 30)), 2000);
            TimeSpan delay = backoff.Next(attempt);
            Assert.InRange(delay.TotalMilliseconds, capped / 2, capped);
            Assert.Equal(delay, again.Next(attempt));
        }

        double[] firstFive = [.. Enumerable.Range(0, 20).Select(_ => backoff.Next(0).TotalMilliseconds)];
        Assert.True(firstFive.Distinct().Count() > 1, "jitter must vary the delay");
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}

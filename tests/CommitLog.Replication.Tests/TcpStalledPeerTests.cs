using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using CommitLog.Replication.Tcp;
using CommitLog.Replication.Transport;

namespace CommitLog.Replication.Tests;

public sealed class TcpStalledPeerTests
{
    [Fact]
    public async Task DeadPeer_StalledPeerWhileSendBlocks_ConnectionClosedAndSendFails()
    {
        CancellationToken ct = TcpTestKit.Timeout(20);
        await using TcpTransport server = TcpTestKit.Create(
            "server", keepAlive: TimeSpan.FromMilliseconds(50), deadPeer: TimeSpan.FromMilliseconds(400));
        using var dead = new CounterProbe(server.Metrics.Meter, "commitlog.replication.peers.dead");
        await using IReplicationListener listener = await server.ListenAsync("127.0.0.1:0", ct);

        // A peer that authenticates, then neither reads nor writes (like a stopped process).
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.ReceiveBufferSize = 4096;
        await socket.ConnectAsync(IPEndPoint.Parse(listener.Address), ct);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await TcpHandshake.RunAsync(PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true)),
            PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true)), isDialer: true, "stalled", TcpTestKit.Secret, ct);
        await using IReplicationConnection accepted = await listener.AcceptAsync(ct);

        byte[] payload = new byte[60 * 1024];
        var closed = await Assert.ThrowsAsync<ConnectionClosedException>(async () =>
        {
            while (true)
            {
                await accepted.SendAsync(1, payload, ct); // blocks once the socket buffers are full
            }
        });
        Assert.StartsWith("Dead peer", accepted.CloseReason, StringComparison.Ordinal);
        Assert.Contains("Dead peer", closed.Message, StringComparison.Ordinal);
        Assert.Equal(1, dead.Total);
    }
}

using System.Text;
using CommitLog.Replication.Tcp;

namespace CommitLog.Replication.Tests;

internal static class TcpTestKit
{
    public static readonly byte[] Secret = Encoding.UTF8.GetBytes("cluster-secret-for-tests-0123456789");

    public static TcpTransport Create(
        string nodeId, byte[]? secret = null, int maxFrameBytes = 64 * 1024,
        TimeSpan? keepAlive = null, TimeSpan? deadPeer = null) =>
        new(new TcpTransportOptions
        {
            NodeId = nodeId,
            ClusterSecret = secret ?? Secret,
            MaxFrameBytes = maxFrameBytes,
            KeepAliveInterval = keepAlive ?? TimeSpan.FromSeconds(1),
            DeadPeerTimeout = deadPeer ?? TimeSpan.FromSeconds(10),
            HandshakeTimeout = TimeSpan.FromSeconds(5),
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(100),
            JitterSeed = 1,
        });

    public static CancellationToken Timeout(int seconds = 10)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(seconds));
        return cts.Token;
    }

    public static async Task WaitUntilAsync(Func<bool> condition, int seconds = 10)
    {
        CancellationToken ct = Timeout(seconds);
        while (!condition())
        {
            await Task.Delay(10, ct);
        }
    }
}

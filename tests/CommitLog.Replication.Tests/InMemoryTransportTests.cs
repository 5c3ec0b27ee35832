using CommitLog.Replication.InMemory;
using CommitLog.Replication.Transport;
using Microsoft.Extensions.Time.Testing;

namespace CommitLog.Replication.Tests;

public sealed class InMemoryTransportTests
{
    private static async Task<(InMemoryConnection Dialer, InMemoryConnection Acceptor)> ConnectAsync(InMemoryNetwork network)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        IReplicationListener listener = await network.CreateTransport("b").ListenAsync("b", ct);
        IReplicationConnection dialer = await network.CreateTransport("a").ConnectAsync("b", ct);
        IReplicationConnection acceptor = await listener.AcceptAsync(ct);
        Assert.Equal("b", dialer.RemoteNodeId);
        Assert.Equal("a", acceptor.RemoteNodeId);
        return ((InMemoryConnection)dialer, (InMemoryConnection)acceptor);
    }

    private static async Task SendNumbersAsync(IReplicationConnection connection, int count)
    {
        for (int i = 0; i < count; i++)
        {
            await connection.SendAsync(1, BitConverter.GetBytes(i), TestContext.Current.CancellationToken);
        }
    }

    private static List<int> Drain(InMemoryConnection connection)
    {
        List<int> received = [];
        while (connection.TryReceive(out ReplicationFrame frame))
        {
            received.Add(BitConverter.ToInt32(frame.Payload.Span));
        }

        return received;
    }

    [Fact]
    public async Task Frames_NoFaults_ArriveInOrderBothWays()
    {
        var network = new InMemoryNetwork(seed: 1);
        (InMemoryConnection a, InMemoryConnection b) = await ConnectAsync(network);
        await SendNumbersAsync(a, 100);
        await SendNumbersAsync(b, 50);
        Assert.Equal(Enumerable.Range(0, 100), Drain(b));
        Assert.Equal(Enumerable.Range(0, 50), Drain(a));

        await a.SendAsync(7, new byte[] { 1, 2, 3 }, TestContext.Current.CancellationToken);
        ReplicationFrame frame = await b.ReceiveAsync(TestContext.Current.CancellationToken);
        Assert.Equal(7, frame.Type);
        Assert.Equal(new byte[] { 1, 2, 3 }, frame.Payload.ToArray());
    }

    [Fact]
    public async Task Send_PayloadBufferReusedAfterSend_ReceiverSeesOriginalBytes()
    {
        var network = new InMemoryNetwork(seed: 1);
        (InMemoryConnection a, InMemoryConnection b) = await ConnectAsync(network);
        byte[] buffer = [9, 9];
        await a.SendAsync(1, buffer, TestContext.Current.CancellationToken);
        buffer[0] = 0;
        Assert.True(b.TryReceive(out ReplicationFrame frame));
        Assert.Equal(new byte[] { 9, 9 }, frame.Payload.ToArray());
    }

    [Fact]
    public async Task Drop_SeededProbability_LosesSomeAndReplaysExactly()
    {
        async Task<(List<int> Received, long Dropped)> RunAsync(int seed)
        {
            var network = new InMemoryNetwork(seed);
            (InMemoryConnection a, InMemoryConnection b) = await ConnectAsync(network);
            network.Link("a", "b").DropProbability = 0.3;
            await SendNumbersAsync(a, 1000);
            return (Drain(b), network.Link("a", "b").Dropped);
        }

        (List<int> first, long dropped) = await RunAsync(42);
        (List<int> replay, _) = await RunAsync(42);
        (List<int> other, _) = await RunAsync(43);

        Assert.Equal(first, replay);
        Assert.NotEqual(first, other);
        Assert.Equal(1000 - first.Count, dropped);
        Assert.InRange(dropped, 200, 400);
        Assert.Equal(first.Order(), first); // what survives keeps its order
    }

    [Fact]
    public async Task Drop_OneDirectionOnly_OtherDirectionUnaffected()
    {
        var network = new InMemoryNetwork(seed: 5);
        (InMemoryConnection a, InMemoryConnection b) = await ConnectAsync(network);
        network.Link("a", "b").DropProbability = 1;
        await SendNumbersAsync(a, 10);
        await SendNumbersAsync(b, 10);
        Assert.Empty(Drain(b));
        Assert.Equal(Enumerable.Range(0, 10), Drain(a));
    }

    [Fact]
    public async Task Duplicate_ProbabilityOne_EveryFrameTwiceInOrder()
    {
        var network = new InMemoryNetwork(seed: 3);
        (InMemoryConnection a, InMemoryConnection b) = await ConnectAsync(network);
        network.Link("a", "b").DuplicateProbability = 1;
        await SendNumbersAsync(a, 5);
        Assert.Equal(new[] { 0, 0, 1, 1, 2, 2, 3, 3, 4, 4 }, Drain(b));
        Assert.Equal(5, network.Link("a", "b").Duplicated);
    }

    [Fact]
    public async Task Reorder_ProbabilityOne_SwapsPairsAndReleasesHeld()
    {
        var network = new InMemoryNetwork(seed: 4);
        (InMemoryConnection a, InMemoryConnection b) = await ConnectAsync(network);
        network.Link("a", "b").ReorderProbability = 1;
        await SendNumbersAsync(a, 5);
        Assert.Equal(new[] { 1, 0, 3, 2 }, Drain(b));
        network.ReleaseHeldFrames();
        Assert.Equal(new[] { 4 }, Drain(b));
    }

    [Fact]
    public async Task Delay_FakeClock_ArrivesOnlyWhenTimeAdvances()
    {
        var time = new FakeTimeProvider();
        var network = new InMemoryNetwork(seed: 6, time);
        (InMemoryConnection a, InMemoryConnection b) = await ConnectAsync(network);
        network.Link("a", "b").Delay = TimeSpan.FromMilliseconds(100);
        await SendNumbersAsync(a, 3);
        Assert.Empty(Drain(b));
        time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Empty(Drain(b));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(new[] { 0, 1, 2 }, Drain(b));
    }

    [Fact]
    public async Task DelayJitter_SeededFakeClock_ReordersDeterministically()
    {
        async Task<List<int>> RunAsync(int seed)
        {
            var time = new FakeTimeProvider();
            var network = new InMemoryNetwork(seed, time);
            (InMemoryConnection a, InMemoryConnection b) = await ConnectAsync(network);
            network.Link("a", "b").DelayJitter = TimeSpan.FromMilliseconds(50);
            await SendNumbersAsync(a, 50);
            List<int> received = [];
            for (int ms = 0; ms < 50; ms++)
            {
                time.Advance(TimeSpan.FromMilliseconds(1));
                received.AddRange(Drain(b));
            }

            return received;
        }

        List<int> first = await RunAsync(11);
        Assert.Equal(first, await RunAsync(11));
        Assert.Equal(Enumerable.Range(0, 50), first.Order());
        Assert.NotEqual(Enumerable.Range(0, 50), first);
    }

    [Fact]
    public async Task Partition_CutsBothWaysAndRefusesDials_HealRestores()
    {
        var time = new FakeTimeProvider();
        var network = new InMemoryNetwork(seed: 7, time);
        (InMemoryConnection a, InMemoryConnection b) = await ConnectAsync(network);
        network.Link("a", "b").Delay = TimeSpan.FromMilliseconds(10);
        await SendNumbersAsync(a, 1); // in flight when the cut happens
        network.Partition("a", "b");
        time.Advance(TimeSpan.FromMilliseconds(10));
        await SendNumbersAsync(a, 3);
        await SendNumbersAsync(b, 3);
        Assert.Empty(Drain(b));
        Assert.Empty(Drain(a));
        Assert.Equal(4, network.Link("a", "b").Dropped);
        Assert.Equal(3, network.Link("b", "a").Dropped);
        await Assert.ThrowsAsync<TransportException>(
            async () => await network.CreateTransport("a").ConnectAsync("b", TestContext.Current.CancellationToken));

        network.Heal("b", "a");
        network.Link("a", "b").Delay = TimeSpan.Zero;
        await SendNumbersAsync(a, 2);
        await SendNumbersAsync(b, 2);
        Assert.Equal(new[] { 0, 1 }, Drain(b));
        Assert.Equal(new[] { 0, 1 }, Drain(a));
    }

    [Fact]
    public async Task Send_TooLarge_ThrowsAndClosesBothEnds()
    {
        var network = new InMemoryNetwork(seed: 8, maxFrameBytes: 16);
        (InMemoryConnection a, InMemoryConnection b) = await ConnectAsync(network);
        await a.SendAsync(1, new byte[16], TestContext.Current.CancellationToken);
        var ex = await Assert.ThrowsAsync<FrameTooLargeException>(
            async () => await a.SendAsync(1, new byte[17], TestContext.Current.CancellationToken));
        Assert.Contains("16", ex.Message, StringComparison.Ordinal);
        Assert.NotNull(a.CloseReason);
        Assert.Equal(16, (await b.ReceiveAsync(TestContext.Current.CancellationToken)).Payload.Length);
        await Assert.ThrowsAsync<ConnectionClosedException>(
            async () => await b.ReceiveAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Send_ReservedType_Throws()
    {
        var network = new InMemoryNetwork(seed: 9);
        (InMemoryConnection a, _) = await ConnectAsync(network);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            async () => await a.SendAsync(0x80, ReadOnlyMemory<byte>.Empty, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Connect_NoListener_Refused()
    {
        var network = new InMemoryNetwork(seed: 10);
        await Assert.ThrowsAsync<TransportException>(
            async () => await network.CreateTransport("a").ConnectAsync("nobody", TestContext.Current.CancellationToken));
    }
}

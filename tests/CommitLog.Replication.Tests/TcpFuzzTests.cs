using System.Buffers.Binary;
using System.IO.Hashing;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using CommitLog.Replication.Tcp;
using CommitLog.Replication.Transport;

namespace CommitLog.Replication.Tests;

/// <summary>
/// Malformed bytes after a valid handshake: every case must close the connection on the receiving side, deliver
/// nothing, count an invalid frame, and never allocate in proportion to a claimed length.
/// </summary>
[Collection(nameof(TcpFuzzCollection))]
public sealed class TcpFuzzTests
{
    private const int MaxFrameBytes = 64 * 1024;
    private const int Cases = 300;
    private const int Seed = 20261125;

    private enum Kind { HugeLength, NegativeLength, ZeroLength, BadChecksum, Truncated, ReservedType, Garbage }

    [Fact]
    public async Task MalformedFrames_AfterHandshake_ConnectionClosedNothingDeliveredMemoryBounded()
    {
        CancellationToken ct = TcpTestKit.Timeout(60);
        await using TcpTransport server = TcpTestKit.Create("server", maxFrameBytes: MaxFrameBytes);
        using var invalid = new CounterProbe(server.Metrics.Meter, "commitlog.replication.frames.invalid");
        await using IReplicationListener listener = await server.ListenAsync("127.0.0.1:0", ct);
        IPEndPoint endPoint = IPEndPoint.Parse(listener.Address);
        var random = new Random(Seed);

        await RunCaseAsync(Kind.Garbage, endPoint, listener, random, ct); // warm up code paths before measuring
        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < Cases; i++)
        {
            var kind = (Kind)random.Next(Enum.GetValues<Kind>().Length);
            try
            {
                await RunCaseAsync(kind, endPoint, listener, random, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                throw new InvalidOperationException($"Fuzz case {i} ({kind}) failed; seed {Seed}.", ex);
            }
        }

        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        TestContext.Current.SendDiagnosticMessage($"{Cases} fuzz cases allocated {allocated / 1024} KiB in total.");
        Assert.True(allocated < 48L * 1024 * 1024,
            $"{Cases} malformed frames allocated {allocated} bytes; claimed lengths must never be allocated.");
        await TcpTestKit.WaitUntilAsync(() => invalid.Total == Cases + 1);

        // The node is still fine: a member connects and exchanges a frame.
        await using TcpTransport member = TcpTestKit.Create("member", maxFrameBytes: MaxFrameBytes);
        await using IReplicationConnection dialed = await member.ConnectAsync(listener.Address, ct);
        await using IReplicationConnection accepted = await listener.AcceptAsync(ct);
        await dialed.SendAsync(1, new byte[] { 7 }, ct);
        Assert.Equal(7, (await accepted.ReceiveAsync(ct)).Payload.Span[0]);
    }

    private static async Task RunCaseAsync(Kind kind, IPEndPoint endPoint, IReplicationListener listener, Random random, CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint, ct);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        PipeReader reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        PipeWriter writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        string peer = await TcpHandshake.RunAsync(reader, writer, isDialer: true, "fuzzer", TcpTestKit.Secret, ct);
        Assert.Equal("server", peer);
        await using IReplicationConnection accepted = await listener.AcceptAsync(ct);

        (byte[] bytes, bool closeAfter) = Build(kind, random);
        await stream.WriteAsync(bytes, ct);
        if (closeAfter)
        {
            socket.Shutdown(SocketShutdown.Send);
        }

        // Nothing is delivered: the first receive reports the close (the server closes on its own when the
        // bytes are invalid, without waiting for more data).
        await Assert.ThrowsAsync<ConnectionClosedException>(async () => await accepted.ReceiveAsync(ct));
        Assert.StartsWith("Invalid frame", accepted.CloseReason, StringComparison.Ordinal);
        await reader.CompleteAsync();
        await writer.CompleteAsync();
    }

    private static (byte[] Bytes, bool CloseAfter) Build(Kind kind, Random random)
    {
        switch (kind)
        {
            case Kind.HugeLength:
                return (Header(random.Next(MaxFrameBytes + 2, int.MaxValue), random), false);
            case Kind.NegativeLength:
                return (Header(random.Next(int.MinValue, 0), random), false);
            case Kind.ZeroLength:
                return (Header(0, random), false);
            case Kind.BadChecksum:
            {
                byte[] frame = ValidFrame((byte)random.Next(0, 128), random.Next(0, 1000), random);
                int bit = random.Next(32, frame.Length * 8); // anywhere after the length field
                frame[bit / 8] ^= (byte)(1 << (bit % 8));
                return (frame, false);
            }

            case Kind.Truncated:
            {
                byte[] frame = ValidFrame((byte)random.Next(0, 128), random.Next(0, 1000), random);
                return (frame[..random.Next(1, frame.Length)], true);
            }

            case Kind.ReservedType:
            {
                byte type;
                do
                {
                    type = (byte)random.Next(0x80, 0x100);
                }
                while (type == FrameCodec.Ping);
                return (ValidFrame(type, random.Next(0, 100), random), false);
            }

            default:
            {
                byte[] garbage = new byte[random.Next(1, 300)];
                random.NextBytes(garbage);
                return (garbage, true);
            }
        }
    }

    private static byte[] Header(int length, Random random)
    {
        byte[] bytes = new byte[FrameCodec.HeaderBytes + random.Next(0, 64)];
        random.NextBytes(bytes);
        BinaryPrimitives.WriteInt32BigEndian(bytes, length);
        return bytes;
    }

    private static byte[] ValidFrame(byte type, int payloadLength, Random random)
    {
        byte[] frame = new byte[FrameCodec.HeaderBytes + 1 + payloadLength];
        BinaryPrimitives.WriteInt32BigEndian(frame, payloadLength + 1);
        frame[FrameCodec.HeaderBytes] = type;
        random.NextBytes(frame.AsSpan(FrameCodec.HeaderBytes + 1));
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, frame.AsSpan(FrameCodec.HeaderBytes)));
        return frame;
    }
}

using System.Buffers;
using System.IO.Pipelines;
using CommitLog.Replication.Tcp;
using FsCheck.Xunit;

namespace CommitLog.Replication.Tests;

/// <summary>The TCP frame codec over an in-process pipe: any frames round-trip, any single corrupted byte is caught.</summary>
public sealed class FrameCodecPropertyTests
{
    private const int Max = 4096;

    [Property(MaxTest = 200)]
    public void Frames_AnyTypesAndPayloads_RoundTripInOrder(byte[][] payloads, byte typeSeed)
    {
        Task.Run(async () =>
        {
            var pipe = new Pipe();
            byte[][] sent = [.. payloads.Where(p => p is not null).Select(p => p.Length > Max ? p[..Max] : p)];
            for (int i = 0; i < sent.Length; i++)
            {
                FrameCodec.Write(pipe.Writer, (byte)((typeSeed + i) % 256), sent[i]);
            }

            await pipe.Writer.CompleteAsync();
            for (int i = 0; i < sent.Length; i++)
            {
                (byte Type, byte[] Payload)? frame = await FrameCodec.ReadAsync(pipe.Reader, Max, CancellationToken.None);
                Assert.NotNull(frame);
                Assert.Equal((byte)((typeSeed + i) % 256), frame.Value.Type);
                Assert.Equal(sent[i], frame.Value.Payload);
            }

            Assert.Null(await FrameCodec.ReadAsync(pipe.Reader, Max, CancellationToken.None));
        }, TestContext.Current.CancellationToken).GetAwaiter().GetResult();
    }

    [Property(MaxTest = 300)]
    public void Frame_OneByteCorrupted_RejectedNeverDelivered(byte[] payload, int position, byte flip)
    {
        if (payload is null || flip == 0)
        {
            return;
        }

        Task.Run(async () =>
        {
            byte[] body = payload.Length > Max ? payload[..Max] : payload;
            var encoder = new Pipe();
            FrameCodec.Write(encoder.Writer, 1, body);
            await encoder.Writer.FlushAsync();
            byte[] frame = (await encoder.Reader.ReadAsync()).Buffer.ToArray();
            frame[(int)((uint)position % (uint)frame.Length)] ^= flip;

            var pipe = new Pipe();
            await pipe.Writer.WriteAsync(frame);
            await pipe.Writer.CompleteAsync();
            FrameFormatException ex = await Assert.ThrowsAsync<FrameFormatException>(
                async () => await FrameCodec.ReadAsync(pipe.Reader, Max, CancellationToken.None));
            Assert.Contains(ex.Reason, new[] { "length", "checksum", "truncated" });
        }, TestContext.Current.CancellationToken).GetAwaiter().GetResult();
    }
}

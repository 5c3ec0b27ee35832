using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.IO.Pipelines;

namespace CommitLog.Replication.Tcp;

/// <summary>
/// Wire format of one TCP frame: int32 big-endian length of (type + payload), uint32 big-endian CRC-32C of
/// (type + payload), the type byte, the payload. The length is checked against the limit before anything is buffered
/// for the body.
/// </summary>
internal static class FrameCodec
{
    public const int HeaderBytes = 8;
    public const byte Ping = 0xF0;
    public const byte Hello = 0xF8;
    public const byte Proof = 0xF9;

    public static void Write(PipeWriter writer, byte type, ReadOnlySpan<byte> payload)
    {
        int bodyLength = payload.Length + 1;
        Span<byte> span = writer.GetSpan(HeaderBytes + bodyLength);
        BinaryPrimitives.WriteInt32BigEndian(span, bodyLength);
        span[HeaderBytes] = type;
        payload.CopyTo(span[(HeaderBytes + 1)..]);
        uint crc = Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, span.Slice(HeaderBytes, bodyLength));
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], crc);
        writer.Advance(HeaderBytes + bodyLength);
    }

    /// <summary>Reads one whole frame; null on a clean end of stream between frames.</summary>
    /// <exception cref="FrameFormatException">Bad length, bad checksum or a frame cut short.</exception>
    public static async ValueTask<(byte Type, byte[] Payload)?> ReadAsync(
        PipeReader reader, int maxPayload, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (TryParse(ref buffer, maxPayload, out byte type, out byte[]? payload))
            {
                reader.AdvanceTo(buffer.Start);
                return (type, payload);
            }

            if (result.IsCompleted)
            {
                long left = buffer.Length;
                reader.AdvanceTo(buffer.End);
                return left == 0
                    ? null
                    : throw new FrameFormatException("truncated", $"Stream ended inside a frame ({left} bytes of an incomplete frame).");
            }

            if (result.IsCanceled)
            {
                throw new OperationCanceledException("The frame read was canceled.");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool TryParse(ref ReadOnlySequence<byte> buffer, int maxPayload, out byte type, out byte[] payload)
    {
        type = 0;
        payload = [];
        if (buffer.Length < HeaderBytes)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderBytes];
        buffer.Slice(0, HeaderBytes).CopyTo(header);
        int bodyLength = BinaryPrimitives.ReadInt32BigEndian(header);
        if (bodyLength < 1 || bodyLength - 1 > maxPayload)
        {
            throw new FrameFormatException("length",
                $"Frame length {bodyLength} is outside the allowed range 1 to {(long)maxPayload + 1} (max frame payload {maxPayload} bytes).");
        }

        if (buffer.Length < HeaderBytes + (long)bodyLength)
        {
            return false;
        }

        ReadOnlySequence<byte> body = buffer.Slice(HeaderBytes, bodyLength);
        var crc = new Crc32(Crc32ParameterSet.Crc32C);
        foreach (ReadOnlyMemory<byte> segment in body)
        {
            crc.Append(segment.Span);
        }

        uint expected = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        uint actual = crc.GetCurrentHashAsUInt32();
        if (actual != expected)
        {
            throw new FrameFormatException("checksum",
                $"Frame checksum mismatch: header says 0x{expected:X8}, body hashes to 0x{actual:X8}.");
        }

        type = body.FirstSpan[0];
        payload = body.Slice(1).ToArray();
        buffer = buffer.Slice(HeaderBytes + bodyLength);
        return true;
    }
}

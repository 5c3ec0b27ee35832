using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace CommitLog.Replication.Control;

/// <summary>
/// A Raft log entry of the control plane: <c>format (1 byte, 1) | request id (16 bytes) | MetadataCommand</c>.
/// The request id lets the node that proposed the entry recognise its application, wherever it was proposed.
/// </summary>
internal static class RaftEntryCodec
{
    private const byte Format = 1;
    private const int HeaderBytes = 17;

    public static byte[] Encode(Guid requestId, MetadataCommand command)
    {
        var writer = new ArrayBufferWriter<byte>(128);
        Span<byte> header = writer.GetSpan(HeaderBytes);
        header[0] = Format;
        requestId.TryWriteBytes(header[1..]);
        writer.Advance(HeaderBytes);
        command.Encode(writer);
        return writer.WrittenSpan.ToArray();
    }

    public static bool TryDecode(ReadOnlySpan<byte> entry, out Guid requestId, [NotNullWhen(true)] out MetadataCommand? command, out string? error)
    {
        requestId = Guid.Empty;
        command = null;
        if (entry.Length <= HeaderBytes || entry[0] != Format)
        {
            error = $"{entry.Length} bytes, format byte {(entry.IsEmpty ? -1 : entry[0])} (expected format {Format} and more than {HeaderBytes} bytes)";
            return false;
        }

        requestId = new Guid(entry.Slice(1, 16));
        try
        {
            command = MetadataCommand.Decode(entry[HeaderBytes..]);
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or ArgumentException or InvalidOperationException)
        {
            error = ex.Message;
            return false;
        }
    }
}

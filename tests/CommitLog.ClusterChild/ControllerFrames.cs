using System.Buffers.Binary;
using CommitLog.Replication.Control;

namespace CommitLog.ClusterChild;

/// <summary>
/// The frames between a node's <see cref="RemoteControlPlane"/> and the <see cref="ClusterController"/> (all big-endian):
/// a node sends <see cref="Command"/> (int32 correlation id, a <see cref="MetadataCommand"/>); the controller answers
/// <see cref="Reply"/> (int32 correlation id, byte accepted, int64 version after it) and sends every accepted command,
/// in order, as <see cref="Entry"/> (int64 version, the command). A node applies the entries to its own copy of the
/// metadata with <see cref="ClusterMetadataState.Apply"/>, so both hold the same metadata at the same version.
/// </summary>
public static class ControllerFrames
{
    public const byte Command = 10;
    public const byte Reply = 11;
    public const byte Entry = 12;

    public static byte[] EncodeCommand(int correlationId, MetadataCommand command) => Prefix(correlationId, command.ToBytes());

    public static byte[] EncodeReply(int correlationId, bool accepted, long version)
    {
        var bytes = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(bytes, correlationId);
        bytes[4] = accepted ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(5), version);
        return bytes;
    }

    public static byte[] EncodeEntry(long version, MetadataCommand command)
    {
        var body = command.ToBytes();
        var bytes = new byte[8 + body.Length];
        BinaryPrimitives.WriteInt64BigEndian(bytes, version);
        body.CopyTo(bytes.AsSpan(8));
        return bytes;
    }

    public static (int CorrelationId, MetadataCommand Command) DecodeCommand(ReadOnlySpan<byte> payload)
        => (BinaryPrimitives.ReadInt32BigEndian(payload), MetadataCommand.Decode(payload[4..]));

    public static (int CorrelationId, bool Accepted, long Version) DecodeReply(ReadOnlySpan<byte> payload)
        => (BinaryPrimitives.ReadInt32BigEndian(payload), payload[4] != 0, BinaryPrimitives.ReadInt64BigEndian(payload[5..]));

    public static (long Version, MetadataCommand Command) DecodeEntry(ReadOnlySpan<byte> payload)
        => (BinaryPrimitives.ReadInt64BigEndian(payload), MetadataCommand.Decode(payload[8..]));

    private static byte[] Prefix(int correlationId, byte[] body)
    {
        var bytes = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, correlationId);
        body.CopyTo(bytes.AsSpan(4));
        return bytes;
    }
}

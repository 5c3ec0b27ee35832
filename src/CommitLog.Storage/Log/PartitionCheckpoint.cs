using System.Buffers.Binary;

namespace CommitLog.Storage;

/// <summary>
/// The per-partition checkpoint (<c>partition.checkpoint</c>): where recovery may start and where the log starts.
/// Layout, big-endian, 46 bytes:
/// <code>
///  0 magic            int32   0x434C4350 ("CLCP")
///  4 version          int16   1
///  6 recoveryPoint    int64   offsets below it are flushed
/// 14 segmentBase      int64   base offset of the segment that holds the recovery point
/// 22 position         int64   file position of the recovery point in that segment
/// 30 logStartOffset   int64
/// 38 reserved         int32   0
/// 42 crc              uint32  CRC-32C of bytes [0, 42)
/// </code>
/// </summary>
internal readonly record struct PartitionCheckpoint(long RecoveryPoint, long SegmentBase, long Position, long LogStartOffset)
{
    public const int Size = 46;
    private const int Magic = 0x434C4350;
    private const short Version = 1;

    public byte[] Encode()
    {
        var buffer = new byte[Size];
        BinaryPrimitives.WriteInt32BigEndian(buffer, Magic);
        BinaryPrimitives.WriteInt16BigEndian(buffer.AsSpan(4), Version);
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(6), RecoveryPoint);
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(14), SegmentBase);
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(22), Position);
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(30), LogStartOffset);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(42), Crc32C.Compute(buffer.AsSpan(0, 42)));
        return buffer;
    }

    /// <summary>Decodes a checkpoint; returns null if it is damaged (wrong size, magic, version, CRC or values).</summary>
    public static PartitionCheckpoint? TryDecode(ReadOnlySpan<byte> data)
    {
        if (data.Length != Size
            || BinaryPrimitives.ReadInt32BigEndian(data) != Magic
            || BinaryPrimitives.ReadInt16BigEndian(data[4..]) != Version
            || BinaryPrimitives.ReadUInt32BigEndian(data[42..]) != Crc32C.Compute(data[..42]))
        {
            return null;
        }

        var checkpoint = new PartitionCheckpoint(
            BinaryPrimitives.ReadInt64BigEndian(data[6..]),
            BinaryPrimitives.ReadInt64BigEndian(data[14..]),
            BinaryPrimitives.ReadInt64BigEndian(data[22..]),
            BinaryPrimitives.ReadInt64BigEndian(data[30..]));
        return checkpoint.RecoveryPoint < 0 || checkpoint.SegmentBase < 0 || checkpoint.Position < 0 || checkpoint.LogStartOffset < 0
            || checkpoint.SegmentBase > checkpoint.RecoveryPoint
            ? null
            : checkpoint;
    }
}

using System.Buffers.Binary;

namespace CommitLog.Storage;

/// <summary>
/// The per-partition checkpoint: where recovery may start, where the log starts and the high watermark. Stored by
/// <see cref="PartitionCheckpointFile"/> in one of two 64-byte slots. Slot layout, big-endian (version 3):
/// <code>
///  0 magic            int32   0x434C4350 ("CLCP")
///  4 version          int16   3 (version 2 slots, without the high watermark, are still read)
///  6 sequence         int64   incremented on every write; the valid slot with the higher one wins
/// 14 recoveryPoint    int64   offsets below it are flushed
/// 22 segmentBase      int64   base offset of the segment that holds the recovery point
/// 30 position         int64   file position of the recovery point in that segment
/// 38 logStartOffset   int64
/// 46 highWatermark    int64   -1 when unknown (a version 2 slot); version 2 has the crc here
/// 54 crc              uint32  CRC-32C of bytes [0, 54)
/// 58 padding                  zeros up to 64
/// </code>
/// </summary>
internal readonly record struct PartitionCheckpoint(long RecoveryPoint, long SegmentBase, long Position, long LogStartOffset, long HighWatermark = -1)
{
    public const int SlotSize = 64;
    private const int Magic = 0x434C4350;
    private const short Version = 3;
    private const short Version2 = 2;
    private const int CrcOffset = 54;
    private const int Version2CrcOffset = 46;

    public void Encode(long sequence, Span<byte> slot)
    {
        slot[..SlotSize].Clear();
        BinaryPrimitives.WriteInt32BigEndian(slot, Magic);
        BinaryPrimitives.WriteInt16BigEndian(slot[4..], Version);
        BinaryPrimitives.WriteInt64BigEndian(slot[6..], sequence);
        BinaryPrimitives.WriteInt64BigEndian(slot[14..], RecoveryPoint);
        BinaryPrimitives.WriteInt64BigEndian(slot[22..], SegmentBase);
        BinaryPrimitives.WriteInt64BigEndian(slot[30..], Position);
        BinaryPrimitives.WriteInt64BigEndian(slot[38..], LogStartOffset);
        BinaryPrimitives.WriteInt64BigEndian(slot[46..], HighWatermark);
        BinaryPrimitives.WriteUInt32BigEndian(slot[CrcOffset..], Crc32C.Compute(slot[..CrcOffset]));
    }

    /// <summary>Decodes a slot; returns null if it is empty or damaged (wrong magic, version, CRC or values).</summary>
    public static (PartitionCheckpoint Checkpoint, long Sequence)? TryDecode(ReadOnlySpan<byte> slot)
    {
        if (slot.Length < SlotSize || BinaryPrimitives.ReadInt32BigEndian(slot) != Magic)
        {
            return null;
        }

        var version = BinaryPrimitives.ReadInt16BigEndian(slot[4..]);
        var crcOffset = version switch
        {
            Version => CrcOffset,
            Version2 => Version2CrcOffset,
            _ => -1,
        };
        if (crcOffset < 0 || BinaryPrimitives.ReadUInt32BigEndian(slot[crcOffset..]) != Crc32C.Compute(slot[..crcOffset]))
        {
            return null;
        }

        var sequence = BinaryPrimitives.ReadInt64BigEndian(slot[6..]);
        var checkpoint = new PartitionCheckpoint(
            BinaryPrimitives.ReadInt64BigEndian(slot[14..]),
            BinaryPrimitives.ReadInt64BigEndian(slot[22..]),
            BinaryPrimitives.ReadInt64BigEndian(slot[30..]),
            BinaryPrimitives.ReadInt64BigEndian(slot[38..]),
            version == Version ? BinaryPrimitives.ReadInt64BigEndian(slot[46..]) : -1);
        return sequence < 0 || checkpoint.RecoveryPoint < 0 || checkpoint.SegmentBase < 0 || checkpoint.Position < 0
            || checkpoint.LogStartOffset < 0 || checkpoint.SegmentBase > checkpoint.RecoveryPoint || checkpoint.HighWatermark < -1
            ? null
            : (checkpoint, sequence);
    }
}

using System.Buffers.Binary;

namespace CommitLog.Storage;

/// <summary>
/// The fixed 61-byte header of a Kafka RecordBatch v2 (magic 2), the unit the log stores and serves.
/// All integers are big-endian. Layout:
/// <code>
///  0 baseOffset           int64   first offset of the batch, assigned by the log on append
///  8 batchLength          int32   bytes after this field (total size - 12)
/// 12 partitionLeaderEpoch int32   stamped by the leader on append; outside the CRC
/// 16 magic                int8    2
/// 17 crc                  uint32  CRC-32C of bytes [21, end of batch)
/// 21 attributes           int16   bits 0-2 compression, 3 timestamp type, 4 transactional, 5 control, 6 delete horizon
/// 23 lastOffsetDelta      int32   offset of the last record minus baseOffset
/// 27 baseTimestamp        int64
/// 35 maxTimestamp         int64
/// 43 producerId           int64   -1 when not idempotent
/// 51 producerEpoch        int16   -1 when not idempotent
/// 53 baseSequence         int32   -1 when not idempotent
/// 57 recordsCount         int32
/// 61 records ...                  compressed as one stream when a codec is set
/// </code>
/// </summary>
public readonly record struct RecordBatchHeader
{
    /// <summary>The size of the fixed header in bytes.</summary>
    public const int Size = 61;

    /// <summary>The magic byte of the only batch format CommitLog reads and writes.</summary>
    public const byte CurrentMagic = 2;

    /// <summary>Bytes before <c>batchLength</c>'s payload: baseOffset and batchLength themselves.</summary>
    public const int LogOverhead = 12;

    internal const int BaseOffsetOffset = 0;
    internal const int BatchLengthOffset = 8;
    internal const int PartitionLeaderEpochOffset = 12;
    internal const int MagicOffset = 16;
    internal const int CrcOffset = 17;
    internal const int AttributesOffset = 21;
    internal const int LastOffsetDeltaOffset = 23;
    internal const int BaseTimestampOffset = 27;
    internal const int MaxTimestampOffset = 35;
    internal const int ProducerIdOffset = 43;
    internal const int ProducerEpochOffset = 51;
    internal const int BaseSequenceOffset = 53;
    internal const int RecordsCountOffset = 57;

    internal const short CompressionMask = 0x07;
    internal const short TimestampTypeFlag = 0x08;
    internal const short TransactionalFlag = 0x10;
    internal const short ControlFlag = 0x20;
    internal const short DeleteHorizonFlag = 0x40;

    /// <summary>Gets the first offset of the batch.</summary>
    public long BaseOffset { get; init; }

    /// <summary>Gets the number of bytes after the batchLength field.</summary>
    public int BatchLength { get; init; }

    /// <summary>Gets the leader epoch stamped on append.</summary>
    public int PartitionLeaderEpoch { get; init; }

    /// <summary>Gets the magic byte (format version).</summary>
    public byte Magic { get; init; }

    /// <summary>Gets the stored CRC-32C.</summary>
    public uint Crc { get; init; }

    /// <summary>Gets the raw attributes.</summary>
    public short Attributes { get; init; }

    /// <summary>Gets the offset of the last record minus <see cref="BaseOffset"/>.</summary>
    public int LastOffsetDelta { get; init; }

    /// <summary>Gets the timestamp of the first record (Unix milliseconds).</summary>
    public long BaseTimestamp { get; init; }

    /// <summary>Gets the greatest record timestamp (Unix milliseconds), or the append time under LogAppendTime.</summary>
    public long MaxTimestamp { get; init; }

    /// <summary>Gets the idempotent producer's id, or -1.</summary>
    public long ProducerId { get; init; }

    /// <summary>Gets the idempotent producer's epoch, or -1.</summary>
    public short ProducerEpoch { get; init; }

    /// <summary>Gets the sequence number of the first record, or -1.</summary>
    public int BaseSequence { get; init; }

    /// <summary>Gets the number of records in the batch.</summary>
    public int RecordsCount { get; init; }

    /// <summary>Gets the total size of the batch in bytes, header included.</summary>
    public int TotalSize => BatchLength + LogOverhead;

    /// <summary>Gets the offset of the last record in the batch.</summary>
    public long LastOffset => BaseOffset + LastOffsetDelta;

    /// <summary>Gets the offset that follows this batch.</summary>
    public long NextOffset => LastOffset + 1;

    /// <summary>Gets the compression codec of the records section.</summary>
    public CompressionType Compression => (CompressionType)(Attributes & CompressionMask);

    /// <summary>Gets how the timestamps were set.</summary>
    public TimestampType TimestampType => (Attributes & TimestampTypeFlag) != 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime;

    /// <summary>Gets a value indicating whether the batch belongs to a transaction.</summary>
    public bool IsTransactional => (Attributes & TransactionalFlag) != 0;

    /// <summary>Gets a value indicating whether this is a control batch (transaction marker).</summary>
    public bool IsControl => (Attributes & ControlFlag) != 0;

    /// <summary>Gets a value indicating whether the base timestamp holds a compaction delete horizon.</summary>
    public bool HasDeleteHorizon => (Attributes & DeleteHorizonFlag) != 0;

    /// <summary>Reads the header at the start of <paramref name="batch"/> without validating it.</summary>
    /// <exception cref="ArgumentException"><paramref name="batch"/> is shorter than <see cref="Size"/>.</exception>
    public static RecordBatchHeader Read(ReadOnlySpan<byte> batch)
    {
        if (batch.Length < Size)
        {
            throw new ArgumentException($"A RecordBatch v2 header needs {Size} bytes, but only {batch.Length} were given.", nameof(batch));
        }

        return new RecordBatchHeader
        {
            BaseOffset = BinaryPrimitives.ReadInt64BigEndian(batch),
            BatchLength = BinaryPrimitives.ReadInt32BigEndian(batch[BatchLengthOffset..]),
            PartitionLeaderEpoch = BinaryPrimitives.ReadInt32BigEndian(batch[PartitionLeaderEpochOffset..]),
            Magic = batch[MagicOffset],
            Crc = BinaryPrimitives.ReadUInt32BigEndian(batch[CrcOffset..]),
            Attributes = BinaryPrimitives.ReadInt16BigEndian(batch[AttributesOffset..]),
            LastOffsetDelta = BinaryPrimitives.ReadInt32BigEndian(batch[LastOffsetDeltaOffset..]),
            BaseTimestamp = BinaryPrimitives.ReadInt64BigEndian(batch[BaseTimestampOffset..]),
            MaxTimestamp = BinaryPrimitives.ReadInt64BigEndian(batch[MaxTimestampOffset..]),
            ProducerId = BinaryPrimitives.ReadInt64BigEndian(batch[ProducerIdOffset..]),
            ProducerEpoch = BinaryPrimitives.ReadInt16BigEndian(batch[ProducerEpochOffset..]),
            BaseSequence = BinaryPrimitives.ReadInt32BigEndian(batch[BaseSequenceOffset..]),
            RecordsCount = BinaryPrimitives.ReadInt32BigEndian(batch[RecordsCountOffset..]),
        };
    }

    /// <summary>Computes the CRC-32C over bytes [21, end) of a whole batch.</summary>
    internal static uint ComputeCrc(ReadOnlySpan<byte> wholeBatch) => Crc32C.Compute(wholeBatch[AttributesOffset..]);

    /// <summary>Overwrites the base offset of an encoded batch (outside the CRC, so the CRC stays valid).</summary>
    internal static void WriteBaseOffset(Span<byte> batch, long baseOffset) => BinaryPrimitives.WriteInt64BigEndian(batch, baseOffset);

    /// <summary>Overwrites the partition leader epoch of an encoded batch (outside the CRC).</summary>
    internal static void WritePartitionLeaderEpoch(Span<byte> batch, int epoch)
        => BinaryPrimitives.WriteInt32BigEndian(batch[PartitionLeaderEpochOffset..], epoch);

    /// <summary>
    /// Turns an encoded batch into a LogAppendTime batch: sets the timestamp-type bit, writes <paramref name="appendTime"/>
    /// as maxTimestamp and recomputes the CRC (both fields lie inside it). Records keep their stored deltas; readers
    /// report maxTimestamp as every record's timestamp, as Kafka does.
    /// </summary>
    internal static void WriteLogAppendTime(Span<byte> batch, long appendTime)
    {
        short attributes = BinaryPrimitives.ReadInt16BigEndian(batch[AttributesOffset..]);
        BinaryPrimitives.WriteInt16BigEndian(batch[AttributesOffset..], (short)(attributes | TimestampTypeFlag));
        BinaryPrimitives.WriteInt64BigEndian(batch[MaxTimestampOffset..], appendTime);
        BinaryPrimitives.WriteUInt32BigEndian(batch[CrcOffset..], ComputeCrc(batch));
    }

    /// <summary>Reads just the total size (batchLength + 12) of the batch at the start of <paramref name="data"/>.</summary>
    internal static int ReadTotalSize(ReadOnlySpan<byte> data) => BinaryPrimitives.ReadInt32BigEndian(data[BatchLengthOffset..]) + LogOverhead;
}

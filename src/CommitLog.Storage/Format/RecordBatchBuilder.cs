using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace CommitLog.Storage;

/// <summary>
/// Builds one Kafka RecordBatch v2, byte-identical to what Kafka's clients write: set the header fields, call
/// <see cref="Append(long, ReadOnlyMemory{byte}?, ReadOnlyMemory{byte}?, ReadOnlySpan{RecordHeader})"/> per record, then <see cref="Build"/> or <see cref="WriteTo"/>. <see cref="Reset"/> starts
/// the next batch with the same settings and the same pooled buffers, so a reused builder appends uncompressed
/// records without allocating.
/// </summary>
/// <remarks>
/// The base timestamp is the first record's timestamp unless <see cref="BaseTimestamp"/> is set; lastOffsetDelta,
/// maxTimestamp, recordsCount and the CRC-32C are computed. This class is not thread-safe. Dispose it to return its
/// buffers to the pool.
/// </remarks>
public sealed partial class RecordBatchBuilder : IDisposable
{
    private readonly PooledBufferWriter _records;
    private readonly PooledBufferWriter _compressed;
    private CompressionType _compression;
    private TimestampType _timestampType;
    private long? _logAppendTime;
    private long? _baseTimestamp;
    private long _maxTimestamp;
    private int _count;
    private int _lastOffsetDelta = -1;
    private bool _disposed;

    /// <summary>Initializes a new builder.</summary>
    /// <param name="compression">The codec for the records section: None, Gzip or Lz4.</param>
    /// <param name="pool">The pool for the builder's buffers; <see cref="ArrayPool{T}.Shared"/> when null.</param>
    /// <exception cref="NotSupportedException"><paramref name="compression"/> is Snappy or Zstd.</exception>
    public RecordBatchBuilder(CompressionType compression = CompressionType.None, ArrayPool<byte>? pool = null)
    {
        Compression = compression;
        pool ??= ArrayPool<byte>.Shared;
        _records = new PooledBufferWriter(pool, 1024);
        _compressed = new PooledBufferWriter(pool, 256);
        _records.ResetAndReserve(RecordBatchHeader.Size);
    }

    /// <summary>Gets or sets the codec of the records section (default None).</summary>
    /// <exception cref="NotSupportedException">The value is Snappy, Zstd or not a codec id.</exception>
    public CompressionType Compression
    {
        get => _compression;
        set
        {
            _ = CompressionCodecs.Get(value);
            _compression = value;
        }
    }

    /// <summary>Gets or sets the timestamp type (default CreateTime).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="Storage.TimestampType"/>.</exception>
    public TimestampType TimestampType
    {
        get => _timestampType;
        set
        {
            if (value is not (TimestampType.CreateTime or TimestampType.LogAppendTime))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Allowed: CreateTime or LogAppendTime.");
            }

            _timestampType = value;
            if (value == TimestampType.CreateTime)
            {
                _logAppendTime = null;
            }
        }
    }

    /// <summary>Gets or sets the baseOffset written in the header (default 0; the log assigns the real one).</summary>
    public long BaseOffset { get; set; }

    /// <summary>Gets or sets the partition leader epoch (default -1; the log stamps the real one).</summary>
    public int PartitionLeaderEpoch { get; set; } = -1;

    /// <summary>Gets or sets the idempotent producer id (default -1: not idempotent).</summary>
    public long ProducerId { get; set; } = -1;

    /// <summary>Gets or sets the idempotent producer epoch (default -1).</summary>
    public short ProducerEpoch { get; set; } = -1;

    /// <summary>Gets or sets the sequence number of the first record (default -1).</summary>
    public int BaseSequence { get; set; } = -1;

    /// <summary>Gets or sets a value indicating whether the batch belongs to a transaction (attributes bit 4).</summary>
    public bool IsTransactional { get; set; }

    /// <summary>Gets or sets a value indicating whether this is a control batch (attributes bit 5).</summary>
    public bool IsControl { get; set; }

    /// <summary>
    /// Gets or sets the baseTimestamp in Unix milliseconds; <see langword="null"/> (the default) uses the first record's
    /// timestamp, as Kafka's clients do. Can only be changed while the builder holds no records.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set after a record was appended.</exception>
    public long? BaseTimestamp
    {
        get => _baseTimestamp;
        set
        {
            if (_count > 0)
            {
                throw new InvalidOperationException("BaseTimestamp can only be set before the first record is appended; call Reset first.");
            }

            _baseTimestamp = value;
        }
    }

    /// <summary>Gets the number of records appended since the last <see cref="Reset"/>.</summary>
    public int Count => _count;

    /// <summary>Gets the size in bytes the batch would have without compression.</summary>
    public int UncompressedSizeInBytes => _records.WrittenCount;

    /// <summary>
    /// Marks the batch as <see cref="TimestampType.LogAppendTime"/> with the given append time, which Kafka stores as
    /// maxTimestamp (and readers report as every record's timestamp).
    /// </summary>
    /// <param name="unixMs">The append time in Unix milliseconds.</param>
    public void SetLogAppendTime(long unixMs)
    {
        _timestampType = TimestampType.LogAppendTime;
        _logAppendTime = unixMs;
    }

    /// <summary>Forgets the records appended so far and <see cref="BaseTimestamp"/>; keeps the other settings and the pooled buffers.</summary>
    public void Reset()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _records.ResetAndReserve(RecordBatchHeader.Size);
        _compressed.Reset();
        _count = 0;
        _lastOffsetDelta = -1;
        _baseTimestamp = null;
        _maxTimestamp = 0;
    }

    /// <summary>Returns the pooled buffers. The builder cannot be used afterwards.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _records.Dispose();
            _compressed.Dispose();
        }
    }

    private static int SizeOfBytes(ReadOnlySpan<byte> bytes, bool isNull)
        => isNull ? 1 : Varint.SizeOfVarint(bytes.Length) + bytes.Length;

    private static int WriteBytes(Span<byte> destination, ReadOnlySpan<byte> bytes, bool isNull)
    {
        if (isNull)
        {
            return Varint.WriteVarint(destination, -1);
        }

        int n = Varint.WriteVarint(destination, bytes.Length);
        bytes.CopyTo(destination[n..]);
        return n + bytes.Length;
    }

    private static int WriteHeaders(Span<byte> destination, ReadOnlySpan<RecordHeader> headers)
    {
        int pos = Varint.WriteVarint(destination, headers.Length);
        foreach (RecordHeader header in headers)
        {
            int keyBytes = Encoding.UTF8.GetByteCount(header.Key);
            pos += Varint.WriteVarint(destination[pos..], keyBytes);
            pos += Encoding.UTF8.GetBytes(header.Key, destination[pos..]);
            ReadOnlySpan<byte> value = header.Value.HasValue ? header.Value.GetValueOrDefault().Span : default;
            pos += WriteBytes(destination[pos..], value, !header.Value.HasValue);
        }

        return pos;
    }

    private static long SizeOfHeaders(ReadOnlySpan<RecordHeader> headers)
    {
        long size = Varint.SizeOfVarint(headers.Length);
        foreach (RecordHeader header in headers)
        {
            if (header.Key is null)
            {
                throw new ArgumentException("A record header key must not be null (header values may be).", nameof(headers));
            }

            int keyBytes = Encoding.UTF8.GetByteCount(header.Key);
            size += Varint.SizeOfVarint(keyBytes) + keyBytes;
            size += header.Value.HasValue ? Varint.SizeOfVarint(header.Value.GetValueOrDefault().Length) + header.Value.GetValueOrDefault().Length : 1;
        }

        return size;
    }

    private void WriteHeader(Span<byte> batch)
    {
        short attributes = (short)_compression;
        if (_timestampType == TimestampType.LogAppendTime)
        {
            attributes |= RecordBatchHeader.TimestampTypeFlag;
        }

        if (IsTransactional)
        {
            attributes |= RecordBatchHeader.TransactionalFlag;
        }

        if (IsControl)
        {
            attributes |= RecordBatchHeader.ControlFlag;
        }

        BinaryPrimitives.WriteInt64BigEndian(batch, BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchHeader.BatchLengthOffset..], batch.Length - RecordBatchHeader.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchHeader.PartitionLeaderEpochOffset..], PartitionLeaderEpoch);
        batch[RecordBatchHeader.MagicOffset] = RecordBatchHeader.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..], attributes);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchHeader.LastOffsetDeltaOffset..], _lastOffsetDelta);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchHeader.BaseTimestampOffset..], _baseTimestamp.GetValueOrDefault());
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchHeader.MaxTimestampOffset..], _logAppendTime ?? _maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchHeader.ProducerIdOffset..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchHeader.ProducerEpochOffset..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchHeader.BaseSequenceOffset..], BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchHeader.RecordsCountOffset..], _count);
        BinaryPrimitives.WriteUInt32BigEndian(batch[RecordBatchHeader.CrcOffset..], RecordBatchHeader.ComputeCrc(batch));
    }
}

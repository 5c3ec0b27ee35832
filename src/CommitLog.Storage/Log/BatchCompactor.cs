using System.Buffers;
using System.Buffers.Binary;

namespace CommitLog.Storage;

/// <summary>Decides, per record, whether the cleaner keeps it.</summary>
/// <param name="offset">The record's offset.</param>
/// <param name="key">The key (empty when <paramref name="hasKey"/> is false).</param>
/// <param name="hasKey">Whether the record has a key.</param>
/// <param name="isTombstone">Whether the value is null.</param>
internal delegate bool RecordFilter(long offset, ReadOnlySpan<byte> key, bool hasKey, bool isTombstone);

/// <summary>What filtering one batch did.</summary>
internal readonly record struct BatchFilterResult(int Kept, int Removed, int TombstonesRemoved);

/// <summary>
/// Rewrites one stored batch keeping only some of its records. Everything else of the batch stays: base offset,
/// lastOffsetDelta (so the batch still spans the same offsets), timestamps, producer fields, leader epoch and codec.
/// Kept records keep their exact bytes (so their offset and timestamp deltas); a batch that loses every record stays
/// as an empty, header-only batch, so offsets stay contiguous batch to batch and the producer state it carries is kept.
/// </summary>
internal static class BatchCompactor
{
    /// <summary>Returns the uncompressed records section of <paramref name="batch"/>.</summary>
    public static ReadOnlySpan<byte> Section(ReadOnlySpan<byte> batch, int maxDecompressedBytes)
    {
        var compression = (CompressionType)(BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..]) & RecordBatchHeader.CompressionMask);
        var section = batch[RecordBatchHeader.Size..];
        if (compression == CompressionType.None || RecordCount(batch) == 0)
        {
            return section;
        }

        var codec = CompressionCodecs.Get(compression) ?? throw FormatErrors.UnsupportedCompression(compression);
        var output = new ArrayBufferWriter<byte>(Math.Max(256, section.Length * 4));
        codec.Decompress(section.ToArray(), output, maxDecompressedBytes);
        return output.WrittenSpan;
    }

    public static int RecordCount(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchHeader.RecordsCountOffset..]);

    public static bool IsControl(ReadOnlySpan<byte> batch)
        => (BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..]) & RecordBatchHeader.ControlFlag) != 0;

    /// <summary>Adds the keys of the records at or after <paramref name="fromOffset"/> to <paramref name="map"/>.</summary>
    /// <returns>The number of records seen.</returns>
    public static int CollectKeys(ReadOnlySpan<byte> batch, long fromOffset, KeyOffsetMap map, int maxDecompressedBytes)
    {
        if (IsControl(batch))
        {
            return 0;
        }

        var baseOffset = BatchFraming.BaseOffset(batch);
        var reader = new KeyedRecordReader(Section(batch, maxDecompressedBytes), RecordCount(batch));
        var seen = 0;
        while (reader.MoveNext())
        {
            var offset = baseOffset + reader.OffsetDelta;
            if (reader.HasKey && offset >= fromOffset)
            {
                map.Put(reader.Key, offset);
            }

            seen++;
        }

        return seen;
    }

    /// <summary>
    /// Writes <paramref name="batch"/> to <paramref name="output"/> with only the records <paramref name="keep"/>
    /// accepts. Control batches are copied unchanged.
    /// </summary>
    public static BatchFilterResult Filter(ReadOnlySpan<byte> batch, RecordFilter keep, IBufferWriter<byte> output, int maxDecompressedBytes)
    {
        var count = RecordCount(batch);
        if (IsControl(batch) || count == 0)
        {
            output.Write(batch);
            return new BatchFilterResult(count, 0, 0);
        }

        var baseOffset = BatchFraming.BaseOffset(batch);
        var section = Section(batch, maxDecompressedBytes);
        var kept = new List<Range>(count);
        int removed = 0, tombstones = 0;
        var reader = new KeyedRecordReader(section, count);
        while (reader.MoveNext())
        {
            if (keep(baseOffset + reader.OffsetDelta, reader.Key, reader.HasKey, reader.IsTombstone))
            {
                kept.Add(reader.Bytes);
            }
            else
            {
                removed++;
                tombstones += reader.IsTombstone ? 1 : 0;
            }
        }

        if (removed == 0)
        {
            output.Write(batch);
            return new BatchFilterResult(count, 0, 0);
        }

        var records = new ArrayBufferWriter<byte>(Math.Max(1, section.Length));
        foreach (var range in kept)
        {
            records.Write(section[range]);
        }

        var attributes = BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..]);
        var compression = (CompressionType)(attributes & RecordBatchHeader.CompressionMask);
        var body = new ArrayBufferWriter<byte>(RecordBatchHeader.Size + records.WrittenCount);
        body.Write(batch[..RecordBatchHeader.Size]);
        if (kept.Count == 0)
        {
            // An empty batch carries no records section, so it is stored uncompressed.
            attributes = (short)(attributes & ~RecordBatchHeader.CompressionMask);
        }
        else if (compression == CompressionType.None)
        {
            body.Write(records.WrittenSpan);
        }
        else
        {
            CompressionCodecs.Get(compression)!.Compress(records.WrittenSpan, body);
        }

        var rebuilt = body.WrittenMemory.ToArray().AsSpan();
        BinaryPrimitives.WriteInt32BigEndian(rebuilt[RecordBatchHeader.BatchLengthOffset..], rebuilt.Length - RecordBatchHeader.LogOverhead);
        BinaryPrimitives.WriteInt16BigEndian(rebuilt[RecordBatchHeader.AttributesOffset..], attributes);
        BinaryPrimitives.WriteInt32BigEndian(rebuilt[RecordBatchHeader.RecordsCountOffset..], kept.Count);
        BinaryPrimitives.WriteUInt32BigEndian(rebuilt[RecordBatchHeader.CrcOffset..], RecordBatchHeader.ComputeCrc(rebuilt));
        output.Write(rebuilt);
        return new BatchFilterResult(kept.Count, removed, tombstones);
    }
}

using System.Buffers.Binary;
using CommitLog.Storage.IO;

namespace CommitLog.Storage;

/// <summary>
/// The producer-state snapshot file <c>&lt;20-digit offset&gt;.snapshot</c>: the state of every producer id after
/// all batches below the offset. Big-endian; layout in docs/format.md:
/// <code>
/// int16 version (1) | uint32 CRC-32C of the rest | int64 offset | int32 producer count | producers:
///   int64 producerId | int16 epoch | int8 batch count (1-5) | batches, oldest first:
///     int32 firstSequence | int32 lastSequence | int64 firstOffset | int32 lastOffset - firstOffset | int64 timestamp
/// </code>
/// </summary>
internal static class ProducerStateSnapshot
{
    public const string Suffix = ".snapshot";
    public const short Version = 1;

    private const int HeaderSize = 18;
    private const int CrcStart = 6;
    private const int EntryHeaderSize = 11;
    private const int BatchSize = 28;

    /// <summary>The offsets of the snapshot files in <paramref name="directory"/>, ascending.</summary>
    public static List<long> List(ISegmentStorage storage, string directory)
        => [.. storage.ListFiles(directory)
            .Select(f => SegmentFileNames.TryParse(f, Suffix, out var offset) ? offset : -1)
            .Where(o => o >= 0)
            .Order()];

    public static string FileName(long offset) => SegmentFileNames.Name(offset, Suffix);

    /// <summary>Writes the snapshot durably (temporary file, fsync, rename, directory fsync).</summary>
    public static void Write(ISegmentStorage storage, string directory, long offset, ProducerState state)
        => CheckpointFile.WriteAtomic(storage, directory, FileName(offset), Serialize(state, offset));

    /// <summary>Reads a snapshot file whole, or returns null if it does not exist.</summary>
    public static byte[]? TryRead(ISegmentStorage storage, string directory, long offset)
    {
        var path = Path.Combine(directory, FileName(offset));
        if (!storage.FileExists(path))
        {
            return null;
        }

        using var file = storage.OpenFile(path, create: false);
        var length = file.Length;
        if (length > Array.MaxLength)
        {
            return [];
        }

        var buffer = new byte[length];
        var total = 0;
        while (total < buffer.Length)
        {
            var read = file.Read(total, buffer.AsSpan(total));
            if (read <= 0)
            {
                return buffer[..total];
            }

            total += read;
        }

        return buffer;
    }

    public static byte[] Serialize(ProducerState state, long offset)
    {
        var size = HeaderSize;
        foreach (var entry in state.Entries)
        {
            size += EntryHeaderSize + (entry.Count * BatchSize);
        }

        var buffer = new byte[size];
        BinaryPrimitives.WriteInt16BigEndian(buffer, Version);
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(6), offset);
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(14), state.Count);
        var span = buffer.AsSpan(HeaderSize);
        foreach (var entry in state.Entries)
        {
            BinaryPrimitives.WriteInt64BigEndian(span, entry.ProducerId);
            BinaryPrimitives.WriteInt16BigEndian(span[8..], entry.Epoch);
            span[10] = (byte)entry.Count;
            span = span[EntryHeaderSize..];
            for (var i = 0; i < entry.Count; i++)
            {
                var batch = entry[i];
                BinaryPrimitives.WriteInt32BigEndian(span, batch.FirstSequence);
                BinaryPrimitives.WriteInt32BigEndian(span[4..], batch.LastSequence);
                BinaryPrimitives.WriteInt64BigEndian(span[8..], batch.FirstOffset);
                BinaryPrimitives.WriteInt32BigEndian(span[16..], checked((int)(batch.LastOffset - batch.FirstOffset)));
                BinaryPrimitives.WriteInt64BigEndian(span[20..], batch.Timestamp);
                span = span[BatchSize..];
            }
        }

        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(2), Crc32C.Compute(buffer.AsSpan(CrcStart)));
        return buffer;
    }

    /// <summary>
    /// Parses a snapshot into <paramref name="state"/> (cleared first). Returns false, leaving the state empty, if the
    /// file is damaged: wrong version, CRC, offset or length, or values that cannot describe batches below the offset.
    /// </summary>
    public static bool TryLoad(ReadOnlySpan<byte> content, long offset, ProducerState state)
    {
        state.Clear();
        if (!TryParse(content, offset, state))
        {
            state.Clear();
            return false;
        }

        return true;
    }

    private static bool TryParse(ReadOnlySpan<byte> content, long offset, ProducerState state)
    {
        if (content.Length < HeaderSize
            || BinaryPrimitives.ReadInt16BigEndian(content) != Version
            || BinaryPrimitives.ReadUInt32BigEndian(content[2..]) != Crc32C.Compute(content[CrcStart..])
            || BinaryPrimitives.ReadInt64BigEndian(content[6..]) != offset)
        {
            return false;
        }

        var count = BinaryPrimitives.ReadInt32BigEndian(content[14..]);
        if (count < 0)
        {
            return false;
        }

        var rest = content[HeaderSize..];
        for (var p = 0; p < count; p++)
        {
            if (rest.Length < EntryHeaderSize)
            {
                return false;
            }

            var producerId = BinaryPrimitives.ReadInt64BigEndian(rest);
            var epoch = BinaryPrimitives.ReadInt16BigEndian(rest[8..]);
            int batches = rest[10];
            rest = rest[EntryHeaderSize..];
            if (producerId < 0 || epoch < 0 || batches is < 1 or > ProducerStateEntry.MaxBatches || rest.Length < batches * BatchSize || state.Find(producerId) is not null)
            {
                return false;
            }

            var entry = new ProducerStateEntry(producerId, epoch);
            var previousEnd = -1L;
            for (var i = 0; i < batches; i++)
            {
                var first = BinaryPrimitives.ReadInt32BigEndian(rest);
                var last = BinaryPrimitives.ReadInt32BigEndian(rest[4..]);
                var firstOffset = BinaryPrimitives.ReadInt64BigEndian(rest[8..]);
                var delta = BinaryPrimitives.ReadInt32BigEndian(rest[16..]);
                var timestamp = BinaryPrimitives.ReadInt64BigEndian(rest[20..]);
                rest = rest[BatchSize..];
                if (first < 0 || last < 0 || delta < 0 || firstOffset <= previousEnd || firstOffset + delta >= offset)
                {
                    return false;
                }

                previousEnd = firstOffset + delta;
                entry.Add(epoch, new ProducerStateBatch(first, last, firstOffset, previousEnd, timestamp));
            }

            state.Restore(entry);
        }

        return rest.IsEmpty;
    }
}

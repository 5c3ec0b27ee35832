using System.Buffers.Binary;
using CommitLog.Storage.IO;

namespace CommitLog.Storage;

/// <summary>
/// One segment of a partition log: a <c>.log</c> file of consecutive batches starting at <see cref="BaseOffset"/>,
/// with its sparse offset index and time index.
/// </summary>
/// <remarks>
/// Threading: the log's appender (one at a time, under the log's append lock) writes; readers call
/// <see cref="Read"/> and <see cref="FindPosition"/> concurrently and only up to the published <see cref="Size"/>.
/// Readers hold a reference (<see cref="TryAcquire"/>/<see cref="Release"/>) so that a segment deleted by retention
/// or truncation stays open until the last reader is done; its files are deleted when the last reference goes.
/// </remarks>
internal sealed class LogSegment
{
    private readonly ISegmentStorage _storage;
    private int _references = 1;
    private int _deleteOnRelease;
    private long _size;
    private long _nextOffset;
    private int _bytesSinceIndexEntry;
    private long _lastTimeIndexTimestamp = long.MinValue;
    private ConfirmedMaxTimestamp? _confirmedMax;

    public LogSegment(ISegmentStorage storage, string directory, long baseOffset, ISegmentFile log, SparseIndex offsetIndex, SparseIndex timeIndex)
    {
        _storage = storage;
        Directory = directory;
        BaseOffset = baseOffset;
        Log = log;
        OffsetIndex = offsetIndex;
        TimeIndex = timeIndex;
        _nextOffset = baseOffset;
    }

    public string Directory { get; }

    public long BaseOffset { get; }

    public ISegmentFile Log { get; }

    public SparseIndex OffsetIndex { get; }

    public SparseIndex TimeIndex { get; }

    /// <summary>Gets the number of bytes of complete batches (readers never read past it).</summary>
    public long Size => Volatile.Read(ref _size);

    /// <summary>Gets the offset after the last batch.</summary>
    public long NextOffset => Volatile.Read(ref _nextOffset);

    /// <summary>Gets the greatest batch max-timestamp seen, or -1 when unknown or empty.</summary>
    public long MaxTimestamp { get; private set; } = -1;

    /// <summary>Gets the max-timestamp of the first batch, the basis of time-based rolling, or -1.</summary>
    public long RollingBasedTimestamp { get; private set; } = -1;

    /// <summary>Gets or sets the creation time of the segment (Unix ms), used for rolling when batches carry no timestamp.</summary>
    public long CreatedAt { get; set; }

    public bool IsEmpty => Size == 0;

    public static LogSegment Open(
        ISegmentStorage storage, string directory, long baseOffset, bool create, IndexBuffers? offsetBuffers = null, IndexBuffers? timeBuffers = null)
    {
        var log = storage.OpenFile(SegmentFileNames.PathOf(directory, baseOffset, SegmentFileNames.LogSuffix), create);
        ISegmentFile? index = null;
        try
        {
            index = storage.OpenFile(SegmentFileNames.PathOf(directory, baseOffset, SegmentFileNames.IndexSuffix), create: true);
            var timeIndex = storage.OpenFile(SegmentFileNames.PathOf(directory, baseOffset, SegmentFileNames.TimeIndexSuffix), create: true);
            return new LogSegment(storage, directory, baseOffset, log,
                new SparseIndex(index, isTimeIndex: false, offsetBuffers), new SparseIndex(timeIndex, isTimeIndex: true, timeBuffers));
        }
        catch
        {
            index?.Dispose();
            log.Dispose();
            throw;
        }
    }

    /// <summary>Sets the state found by recovery or by a trusted clean open.</summary>
    public void Restore(long size, long nextOffset, long maxTimestamp, long rollingBasedTimestamp)
    {
        Volatile.Write(ref _size, size);
        Volatile.Write(ref _nextOffset, nextOffset);
        MaxTimestamp = maxTimestamp;
        Volatile.Write(ref _confirmedMax, null);
        RollingBasedTimestamp = rollingBasedTimestamp;
        _lastTimeIndexTimestamp = TimeIndex.Last?.Key ?? long.MinValue;
        var lastIndexPosition = OffsetIndex.Last?.Value ?? 0;
        _bytesSinceIndexEntry = (int)Math.Min(int.MaxValue, size - lastIndexPosition);
    }

    /// <summary>Writes already-validated batches at the end of the segment. The caller serializes appends.</summary>
    public void Write(ReadOnlySpan<byte> batches) => Log.Write(Size, batches);

    /// <summary>Records one appended batch: index entries and max timestamp. Call in file order, then <see cref="Publish"/>.</summary>
    public void OnBatchWritten(long position, ReadOnlySpan<byte> batch, int indexIntervalBytes)
    {
        var baseOffset = BatchFraming.BaseOffset(batch);
        var maxTimestamp = BatchFraming.MaxTimestamp(batch);
        if (RollingBasedTimestamp < 0)
        {
            RollingBasedTimestamp = maxTimestamp;
        }

        if (maxTimestamp > MaxTimestamp)
        {
            MaxTimestamp = maxTimestamp;
        }

        if (_bytesSinceIndexEntry >= indexIntervalBytes && position > 0)
        {
            OffsetIndex.Add(baseOffset - BaseOffset, (int)position);
            MaybeAddTimeIndexEntry(baseOffset);
            _bytesSinceIndexEntry = 0;
        }

        _bytesSinceIndexEntry += batch.Length;
    }

    /// <summary>Makes the batches written so far visible to readers.</summary>
    public void Publish(long size, long nextOffset)
    {
        Volatile.Write(ref _size, size);
        Volatile.Write(ref _nextOffset, nextOffset);
    }

    /// <summary>
    /// Seals the indexes when the segment stops being the active one: adds the closing time-index entry, writes the
    /// entries out and switches lookups to the files. Returns the in-memory arrays for the next active segment.
    /// </summary>
    public (IndexBuffers Offsets, IndexBuffers Times) SealIndexes()
    {
        // All I/O first: a failure leaves both indexes active and unchanged but for the closing entry.
        AddClosingTimeEntry();
        PersistIndexes();
        return (OffsetIndex.Seal(), TimeIndex.Seal());
    }

    /// <summary>Adds a closing time-index entry so that the segment's max timestamp is known without a scan (on roll and close).</summary>
    public void AddClosingTimeEntry()
    {
        if (TimeIndex.IsSealed)
        {
            return;
        }

        var offset = NextOffset - 1;
        if (offset >= BaseOffset)
        {
            MaybeAddTimeIndexEntry(offset);
        }
    }

    public int Read(long position, Span<byte> destination) => Log.Read(position, destination);

    /// <summary>
    /// Finds the file position of the batch that contains <paramref name="offset"/> (the first batch whose last offset
    /// is at least <paramref name="offset"/>), looking only below <paramref name="end"/>. Returns -1 if there is none.
    /// </summary>
    public long FindPosition(long offset, long end)
    {
        long position = 0;
        var expectedBase = BaseOffset;
        if (OffsetIndex.TryFindFloor(offset - BaseOffset, strictlyBelow: false, out var relative, out var indexed)
            && indexed >= 0 && indexed < end && relative >= 0 && relative <= offset - BaseOffset && EntryMatches(indexed, BaseOffset + relative))
        {
            position = indexed;
            expectedBase = BaseOffset + relative;
        }

        Span<byte> header = stackalloc byte[RecordBatchHeader.Size];
        while (position < end)
        {
            if (Log.Read(position, header) < header.Length)
            {
                return -1;
            }

            var totalSize = RecordBatchHeader.ReadTotalSize(header);
            if (totalSize < RecordBatchHeader.Size)
            {
                throw new CorruptRecordException(
                    $"The batch at position {position} of '{Log.Path}' has an invalid length ({totalSize} bytes).", Log.Path, position);
            }

            // The base offset is outside the CRC: a damaged one must not send a reader to the wrong batch.
            var baseOffset = BatchFraming.BaseOffset(header);
            if (baseOffset != expectedBase)
            {
                throw new CorruptRecordException(
                    $"The batch at position {position} of '{Log.Path}' claims base offset {baseOffset}, but the batches before it end at {expectedBase - 1}.",
                    Log.Path, position);
            }

            if (BatchFraming.LastOffset(header) >= offset)
            {
                return position;
            }

            expectedBase = BatchFraming.LastOffset(header) + 1;
            position += totalSize;
        }

        return -1;
    }

    /// <summary>
    /// Finds the position to start scanning for the first batch with a max timestamp of at least <paramref name="timestamp"/>.
    /// The time index has no checksum, so an entry is a hint: it is used only if the batch it points at confirms it
    /// (see <see cref="TryConfirmTimeEntry"/>); otherwise the scan starts at the beginning of the segment.
    /// </summary>
    public long FindTimestampScanStart(long timestamp, long end)
    {
        return TimeIndex.TryFindFloor(timestamp, strictlyBelow: true, out var key, out var relative)
            && TryConfirmTimeEntry(key, relative, end, out var position, out _)
            ? position
            : 0;
    }

    /// <summary>
    /// Whether every batch below <paramref name="end"/> is confirmed, against the data, to have a max timestamp below
    /// <paramref name="timestamp"/>: the last time-index entry holds <see cref="MaxTimestamp"/> and points at the last
    /// batch, which carries that timestamp. False means "not known": scan the segment.
    /// </summary>
    public bool AllTimestampsBelow(long timestamp, long end)
    {
        var max = MaxTimestamp;
        if (max >= timestamp)
        {
            return false;
        }

        if (end == 0)
        {
            return true;
        }

        if (Volatile.Read(ref _confirmedMax) is { } confirmed && confirmed.End == end && confirmed.Max == max)
        {
            return true;
        }

        if (TimeIndex.Last is not { } last || last.Key != max || !TryConfirmTimeEntry(last.Key, last.Value, end, out var position, out var size)
            || position + size != end)
        {
            return false;
        }

        Volatile.Write(ref _confirmedMax, new ConfirmedMaxTimestamp(end, max));
        return true;
    }

    /// <summary>
    /// Checks a time-index entry against the batch it points at: the batch holding offset BaseOffset +
    /// <paramref name="relative"/> must exist below <paramref name="end"/> and carry <paramref name="key"/> as its max
    /// timestamp. Entries are written as (max timestamp so far, offset), so with non-decreasing batch timestamps (the
    /// usual case) every honest entry passes, and a confirmed entry, damaged or not, proves that no batch before it has a
    /// later timestamp. An entry whose batch disagrees (damage, or timestamps that went backwards) is not used.
    /// </summary>
    private bool TryConfirmTimeEntry(long key, long relative, long end, out long position, out int size)
    {
        position = 0;
        size = 0;
        if (relative < 0 || relative > int.MaxValue)
        {
            return false;
        }

        try
        {
            position = FindPosition(BaseOffset + relative, end);
        }
        catch (CorruptRecordException)
        {
            return false; // the scan from the segment start reports the damage if the data itself is bad
        }

        Span<byte> header = stackalloc byte[RecordBatchHeader.Size];
        if (position < 0 || Log.Read(position, header) < header.Length || BatchFraming.MaxTimestamp(header) != key)
        {
            position = 0;
            return false;
        }

        size = RecordBatchHeader.ReadTotalSize(header);
        return true;
    }

    public bool TryAcquire()
    {
        var current = Volatile.Read(ref _references);
        while (current > 0)
        {
            var seen = Interlocked.CompareExchange(ref _references, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            CloseFiles();
            if (Volatile.Read(ref _deleteOnRelease) != 0)
            {
                DeleteFiles(SegmentFileNames.DeletedSuffix);
            }
        }
    }

    /// <summary>
    /// Renames the segment's files to <c>.deleted</c> (durably, with a directory sync) and drops the log's own
    /// reference; the files are deleted once the last reader releases the segment.
    /// </summary>
    /// <returns>False if a rename or the directory sync failed; the files are then removed at the next open
    /// (they lie below the log start), and the segment is released all the same.</returns>
    public bool MarkDeleted()
    {
        var renamed = true;
        try
        {
            foreach (var suffix in new[] { SegmentFileNames.LogSuffix, SegmentFileNames.IndexSuffix, SegmentFileNames.TimeIndexSuffix })
            {
                var path = SegmentFileNames.PathOf(Directory, BaseOffset, suffix);
                if (_storage.FileExists(path))
                {
                    _storage.RenameFile(path, path + SegmentFileNames.DeletedSuffix);
                }
            }

            _storage.SyncDirectory(Directory);
        }
        catch (IOException)
        {
            renamed = false;
        }
        finally
        {
            Volatile.Write(ref _deleteOnRelease, 1);
            Release();
        }

        return renamed;
    }

    /// <summary>Truncates the segment to <paramref name="position"/> and drops index entries at or past it.</summary>
    public void TruncateTo(long position, long nextOffset, long maxTimestamp)
    {
        OffsetIndex.TruncateWhere((_, pos) => pos >= position);
        var relativeNext = nextOffset - BaseOffset;
        TimeIndex.TruncateWhere((_, rel) => rel >= relativeNext);
        Log.SetLength(position);
        Restore(position, nextOffset, maxTimestamp, position == 0 ? -1 : RollingBasedTimestamp);
    }

    public void PersistIndexes()
    {
        OffsetIndex.Persist();
        TimeIndex.Persist();
    }

    /// <summary>Closes the files without deleting them (used when the log closes).</summary>
    public void Close() => Release();

    private bool EntryMatches(long position, long expectedBaseOffset)
    {
        Span<byte> first = stackalloc byte[8];
        return Log.Read(position, first) == first.Length && BinaryPrimitives.ReadInt64BigEndian(first) == expectedBaseOffset;
    }

    private void MaybeAddTimeIndexEntry(long offset)
    {
        if (MaxTimestamp > _lastTimeIndexTimestamp)
        {
            var last = TimeIndex.Last;
            if (last is null || offset - BaseOffset > last.Value.Value)
            {
                TimeIndex.Add(MaxTimestamp, (int)(offset - BaseOffset));
                _lastTimeIndexTimestamp = MaxTimestamp;
            }
        }
    }

    private void CloseFiles()
    {
        Log.Dispose();
        OffsetIndex.Dispose();
        TimeIndex.Dispose();
    }

    private void DeleteFiles(string extra)
    {
        foreach (var suffix in new[] { SegmentFileNames.LogSuffix, SegmentFileNames.IndexSuffix, SegmentFileNames.TimeIndexSuffix })
        {
            _storage.DeleteFile(SegmentFileNames.PathOf(Directory, BaseOffset, suffix) + extra);
        }
    }

    /// <summary>A segment end and max timestamp that <see cref="AllTimestampsBelow"/> confirmed against the data.</summary>
    private sealed record ConfirmedMaxTimestamp(long End, long Max);
}

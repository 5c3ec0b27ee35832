using System.Buffers;

namespace CommitLog.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Reads whole batches starting with the batch that contains <paramref name="offset"/>, up to
    /// <paramref name="maxBytes"/> (at least one whole batch, even if larger, so that a reader always progresses).
    /// Every returned batch's CRC-32C is verified. Returns an empty result at the log end.
    /// </summary>
    /// <param name="offset">The first offset wanted, from <see cref="LogStartOffset"/> to <see cref="LogEndOffset"/>.</param>
    /// <param name="maxBytes">The most bytes to return (a positive number).</param>
    /// <returns>The batches, in pooled memory; dispose the result.</returns>
    /// <exception cref="OffsetOutOfRangeException"><paramref name="offset"/> is below the log start or above the log end.</exception>
    /// <exception cref="CorruptRecordException">Stored data failed its checksum; the exception names the file and position.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBytes"/> is not positive.</exception>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public LogReadResult Read(long offset, int maxBytes) => Read(offset, maxBytes, ReadLimit.HighWatermark);

    /// <summary>
    /// Reads like <see cref="Read(long, int)"/>, up to <paramref name="limit"/>: <see cref="ReadLimit.HighWatermark"/>
    /// for consumers, <see cref="ReadLimit.LogEnd"/> for a follower replica copying the log.
    /// </summary>
    /// <param name="offset">The first offset wanted, from <see cref="LogStartOffset"/> to the limit (the high watermark or the log end offset).</param>
    /// <param name="maxBytes">The most bytes to return (a positive number).</param>
    /// <param name="limit">How far the read may go; a batch that reaches the limit is not returned.</param>
    /// <returns>The batches, in pooled memory; dispose the result.</returns>
    /// <exception cref="OffsetOutOfRangeException"><paramref name="offset"/> is below the log start or above the limit (the exception's
    /// <see cref="OffsetOutOfRangeException.LogEndOffset"/> is that limit).</exception>
    /// <exception cref="CorruptRecordException">Stored data failed its checksum; the exception names the file and position.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBytes"/> is not positive, or <paramref name="limit"/> is not defined.</exception>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public LogReadResult Read(long offset, int maxBytes, ReadLimit limit)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        if (limit is not (ReadLimit.HighWatermark or ReadLimit.LogEnd))
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "The read limit must be ReadLimit.HighWatermark or ReadLimit.LogEnd.");
        }

        while (true)
        {
            var highWatermark = HighWatermark;
            var logEnd = LogEndOffset;
            var logStart = LogStartOffset;
            var upper = limit == ReadLimit.LogEnd ? logEnd : highWatermark;
            if (offset < logStart || offset > upper)
            {
                throw new OffsetOutOfRangeException(offset, logStart, upper, _directory);
            }

            if (offset == upper)
            {
                return new LogReadResult(null, 0, offset, offset, highWatermark, logStart, logEnd);
            }

            var segments = Volatile.Read(ref _segments);
            for (var i = FloorSegment(segments, offset); i < segments.Length; i++)
            {
                var segment = segments[i];
                if (!segment.TryAcquire())
                {
                    break; // deleted under us (retention or truncation): start over with the new segment list
                }

                try
                {
                    var result = ReadFromSegment(segment, offset, maxBytes, new ReadBounds(upper, highWatermark, logStart, logEnd));
                    if (result is not null)
                    {
                        return result;
                    }
                }
                finally
                {
                    segment.Release();
                }
            }

            ThrowIfDisposed();
            if (Volatile.Read(ref _segments) == segments)
            {
                // A segment of the current list is deleted: only a reset that failed half-way leaves that.
                ThrowIfFailStopped();
            }
        }
    }

    /// <summary>
    /// Finds the earliest offset whose record has a timestamp at or after <paramref name="timestamp"/> (Kafka
    /// ListOffsets by time), or null if every record is older.
    /// </summary>
    /// <param name="timestamp">Unix milliseconds.</param>
    /// <returns>The offset of the first record, in the first batch whose max timestamp is at least
    /// <paramref name="timestamp"/>, whose timestamp is at least <paramref name="timestamp"/>; or null.</returns>
    public long? OffsetForTimestamp(long timestamp)
    {
        ThrowIfDisposed();
        var highWatermark = HighWatermark;
        foreach (var segment in Volatile.Read(ref _segments))
        {
            if (!segment.TryAcquire())
            {
                continue;
            }

            try
            {
                // The time index is derived data without a checksum: a segment is skipped, and an index entry used,
                // only when the batch it points at confirms it; otherwise the segment is scanned from its start.
                var end = segment.Size;
                if (segment.AllTimestampsBelow(timestamp, end))
                {
                    continue;
                }

                using var scanner = new SegmentScanner(segment.Log, segment.FindTimestampScanStart(timestamp, end), end, int.MaxValue);
                while (scanner.TryNext(verifyCrc: false, out var status))
                {
                    if (status != BatchStatus.Valid)
                    {
                        throw new CorruptRecordException(
                            $"The batch at position {scanner.Position} of '{segment.Log.Path}' is damaged: {BatchFraming.Describe(status)}.",
                            segment.Log.Path, scanner.Position);
                    }

                    var batch = scanner.Current;
                    var baseOffset = BatchFraming.BaseOffset(batch);
                    if (baseOffset >= highWatermark)
                    {
                        return null;
                    }

                    if (BatchFraming.MaxTimestamp(batch) >= timestamp)
                    {
                        return Math.Max(FirstRecordAtOrAfter(batch, timestamp), LogStartOffset);
                    }

                    scanner.Advance();
                }
            }
            finally
            {
                segment.Release();
            }
        }

        return null;
    }

    /// <summary>The offset of the first record in <paramref name="batch"/> with a timestamp at or after <paramref name="timestamp"/>.</summary>
    private static long FirstRecordAtOrAfter(ReadOnlySpan<byte> batch, long timestamp)
    {
        var copy = new RecordBatch(batch.ToArray());
        if (copy.Header.TimestampType == TimestampType.LogAppendTime)
        {
            return copy.Header.BaseOffset;
        }

        foreach (var record in copy.GetRecords())
        {
            if (record.Timestamp >= timestamp)
            {
                return record.Offset;
            }
        }

        return copy.Header.BaseOffset;
    }

    private static int FloorSegment(LogSegment[] segments, long offset)
    {
        int lo = 0, hi = segments.Length - 1, found = 0;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (segments[mid].BaseOffset <= offset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    /// <summary>Reads from one segment; null if <paramref name="offset"/> is past its end (try the next segment).</summary>
    private LogReadResult? ReadFromSegment(LogSegment segment, long offset, int maxBytes, ReadBounds bounds)
    {
        var end = segment.Size;
        var position = segment.FindPosition(offset, end);
        if (position < 0)
        {
            return null;
        }

        var available = end - position;
        var firstSize = ReadFirstBatchSize(segment, position);
        var length = (int)Math.Min(available, Math.Max(maxBytes, firstSize));
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var read = ReadFully(segment, position, buffer.AsSpan(0, length));
            var (used, nextOffset) = TrimToVerifiedBatches(segment, position, buffer.AsSpan(0, read), offset, bounds.Limit);
            if (used == 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return new LogReadResult(null, 0, offset, offset, bounds.HighWatermark, bounds.LogStart, bounds.LogEnd);
            }

            return new LogReadResult(buffer, used, offset, nextOffset, bounds.HighWatermark, bounds.LogStart, bounds.LogEnd);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private static int ReadFirstBatchSize(LogSegment segment, long position)
    {
        Span<byte> head = stackalloc byte[RecordBatchHeader.LogOverhead];
        if (segment.Read(position, head) < head.Length)
        {
            return RecordBatchHeader.LogOverhead;
        }

        var size = RecordBatchHeader.ReadTotalSize(head);
        if (size < RecordBatchHeader.Size)
        {
            throw new CorruptRecordException(
                $"The batch at position {position} of '{segment.Log.Path}' has an invalid length ({size} bytes).", segment.Log.Path, position);
        }

        return size;
    }

    private static int ReadFully(LogSegment segment, long position, Span<byte> destination)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var n = segment.Read(position + total, destination[total..]);
            if (n <= 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    /// <summary>
    /// Keeps the whole, CRC-valid batches that end below <paramref name="limit"/> (the high watermark or the log end); damage is an exception, never a silent cut.
    /// The base offset is outside the CRC, so it is checked against the offsets around it: the first batch must hold
    /// <paramref name="offset"/> and each next one must start where the previous one ended.
    /// </summary>
    private static (int Used, long NextOffset) TrimToVerifiedBatches(LogSegment segment, long filePosition, ReadOnlySpan<byte> data, long offset, long limit)
    {
        var used = 0;
        var next = -1L;
        while (used < data.Length)
        {
            var rest = data[used..];
            var status = BatchFraming.Check(rest, int.MaxValue, verifyCrc: true, out var size);
            if (status == BatchStatus.Incomplete && used > 0)
            {
                break;
            }

            if (status != BatchStatus.Valid)
            {
                throw new CorruptRecordException(
                    $"The batch at position {filePosition + used} of '{segment.Log.Path}' is damaged: {BatchFraming.Describe(status)}. " +
                    "The log does not skip damaged data; restore the segment or reopen the log in salvage mode.",
                    segment.Log.Path, filePosition + used);
            }

            var baseOffset = BatchFraming.BaseOffset(rest);
            var lastOffset = BatchFraming.LastOffset(rest);
            var inSequence = used == 0 ? baseOffset <= offset && lastOffset >= offset : baseOffset == next;
            if (!inSequence || baseOffset < segment.BaseOffset)
            {
                throw new CorruptRecordException(
                    $"The batch at position {filePosition + used} of '{segment.Log.Path}' is damaged: it claims offsets {baseOffset} to {lastOffset}, " +
                    $"but the log expects {(used == 0 ? $"the batch holding offset {offset}" : $"offset {next} next")}. " +
                    "The log does not skip damaged data; restore the segment or reopen the log in salvage mode.",
                    segment.Log.Path, filePosition + used);
            }

            // A batch that reaches the limit is left out whole: a high watermark set inside a batch must not expose
            // the batch's records above it.
            if (lastOffset >= limit)
            {
                break;
            }

            next = BatchFraming.LastOffset(rest) + 1;
            used += size;
        }

        return (used, next);
    }

    /// <summary>What one read may return and report: the limit it stops at and the log's bounds when it started.</summary>
    private readonly record struct ReadBounds(long Limit, long HighWatermark, long LogStart, long LogEnd);
}

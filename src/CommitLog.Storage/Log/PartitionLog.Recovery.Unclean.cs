namespace CommitLog.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// After a crash: segments below the recovery point are trusted (opened lazily; see OpenSealedSegment); everything after it is
    /// re-validated batch by batch and the log is cut at the first invalid batch.
    /// </summary>
    private void RecoverUnclean(PartitionCheckpoint? checkpoint)
    {
        var segments = _segments;
        int startIndex = 0;
        long startPosition = 0, expected = segments[0].BaseOffset;
        if (checkpoint is { } c)
        {
            var found = Array.FindIndex(segments, s => s.BaseOffset == c.SegmentBase);
            if (found >= 0)
            {
                startIndex = found;
                startPosition = c.Position;
                expected = c.RecoveryPoint;
                var length = segments[found].Log.Length;
                if (length < c.Position)
                {
                    FlushedDataDamaged(segments[found].Log.Path, length,
                        $"the file is {length} bytes but its first {c.Position} bytes were flushed");
                    startPosition = 0;
                    expected = segments[found].BaseOffset;
                }
            }
            else if (c.SegmentBase > segments[0].BaseOffset && c.RecoveryPoint > c.LogStartOffset)
            {
                FlushedDataDamaged(Path.Combine(_directory, SegmentFileNames.Name(c.SegmentBase, SegmentFileNames.LogSuffix)), 0,
                    "the segment that holds the recovery point is missing");
                startIndex = Math.Max(0, Array.FindLastIndex(segments, s => s.BaseOffset < c.SegmentBase));
                expected = segments[startIndex].BaseOffset;
            }
        }

        // Segments wholly below the recovery point were flushed before the checkpoint moved past them: they are opened
        // without reading them, so reopening costs what the unflushed tail costs, not what the whole log does. Reads
        // verify every batch's checksum, so damage there is still reported when it is read. Only the segment right
        // before the recovery point's segment has its tail checked, since a roll has just sealed it.
        for (var i = 0; i < startIndex - 1; i++)
        {
            OpenSealedSegment(i);
        }

        for (var i = Math.Max(0, startIndex - 1); i < startIndex; i++)
        {
            if (!CheckFlushedSegment(i))
            {
                startIndex = i;
                startPosition = segments[i].Size;
                expected = segments[i].NextOffset;
                segments = _segments;
                break;
            }
        }

        var truncatedAt = RevalidateFrom(startIndex, startPosition, expected);
        var kept = _segments[^1];
        _logEndOffset = kept.NextOffset;

        // Everything that survived is now valid; flush it so the recovery point can move to the end.
        for (var i = Math.Min(startIndex, _segments.Length - 1); i < _segments.Length; i++)
        {
            _segments[i].PersistIndexes();
            _segments[i].Log.Flush();
        }

        if (truncatedAt)
        {
            _storage.SyncDirectory(_directory);
        }

        _recoveryPoint = new FlushPoint(_logEndOffset, kept.BaseOffset, kept.Size);
        WriteCheckpoint();
    }

    /// <summary>Checks a segment below the recovery point: index sanity and its tail. Returns false if it was salvaged.</summary>
    private bool CheckFlushedSegment(int index)
    {
        var segment = _segments[index];
        var length = segment.Log.Length;
        var nextBase = _segments[index + 1].BaseOffset;
        LoadIndexes(segment, length, seal: true);
        var from = segment.OffsetIndex.Last is { } last ? last.Value : 0;
        var expected = segment.OffsetIndex.Last is { } l ? segment.BaseOffset + l.Key : segment.BaseOffset;
        var (end, next, maxTs) = ScanTail(segment, from, length, expected, verifyCrc: true);
        if ((end != length || next != nextBase) && (from != 0 || expected != segment.BaseOffset))
        {
            // The scan started at the last index entry, and indexes are not flushed: a torn or stale entry that still
            // looks plausible points at the wrong place. Judge the data by itself, from the start of the segment.
            LogMessages.RebuiltIndex(_logger, "offset index", segment.BaseOffset, _directory);
            RebuildIndexes(segment, length);
            (end, next, maxTs) = ScanTail(segment, 0, length, segment.BaseOffset, verifyCrc: true);
        }

        if (end == length && next == nextBase)
        {
            segment.Restore(length, next, Math.Max(maxTs, segment.TimeIndex.Last?.Key ?? -1), segment.TimeIndex.Last?.Key ?? maxTs);
            return true;
        }

        FlushedDataDamaged(segment.Log.Path, end,
            end != length ? "a batch in flushed data is invalid" : $"the segment ends at offset {next} but the next segment starts at {nextBase}");

        // Salvage: keep the valid prefix and drop everything after it.
        var (salvagedEnd, salvagedNext, salvagedMax) = ScanTail(segment, 0, length, segment.BaseOffset, verifyCrc: true);
        segment.OffsetIndex.Clear();
        segment.TimeIndex.Clear();
        segment.Restore(0, segment.BaseOffset, -1, -1);
        segment.TruncateTo(salvagedEnd, salvagedNext, salvagedMax);
        LogMessages.SalvagedCorruption(_logger, _directory, length - salvagedEnd, salvagedEnd, segment.Log.Path, "salvage mode");
        DropSegmentsAfter(index);
        RebuildIndexes(segment, salvagedEnd);
        return false;
    }

    /// <summary>Re-validates from a position to the end of the log; cuts at the first invalid batch. Returns whether it cut.</summary>
    private bool RevalidateFrom(int startIndex, long startPosition, long expected)
    {
        for (var i = startIndex; i < _segments.Length; i++)
        {
            var segment = _segments[i];
            var length = segment.Log.Length;
            var from = i == startIndex ? startPosition : 0;
            if (i > startIndex && segment.BaseOffset != expected)
            {
                TruncateTail(segment, 0, length, $"the segment starts at offset {segment.BaseOffset} but the log before it ends at {expected}");
                DropSegmentsAfter(i - 1);
                return true;
            }

            if (from == 0)
            {
                segment.OffsetIndex.Clear();
                segment.TimeIndex.Clear();
                segment.Restore(0, segment.BaseOffset, -1, -1);
            }
            else
            {
                LoadIndexes(segment, from, seal: false);
                segment.OffsetIndex.TruncateWhere((_, pos) => pos >= from);
                var relativeNext = expected - segment.BaseOffset;
                segment.TimeIndex.TruncateWhere((_, rel) => rel >= relativeNext);
                // The time index lags the data (it is written on roll and close, never flushed), so the timestamps
                // of the trusted prefix come from the batches themselves.
                var (maxTs, firstTs) = ScanTimestamps(segment, from);
                segment.Restore(from, expected, Math.Max(maxTs, segment.TimeIndex.Last?.Key ?? -1), firstTs);
            }

            using var scanner = new SegmentScanner(segment.Log, from, length, _options.MaxMessageBytes);
            while (scanner.TryNext(verifyCrc: true, out var status))
            {
                var reason = status != BatchStatus.Valid ? BatchFraming.Describe(status)
                    : BatchFraming.BaseOffset(scanner.Current) != expected ? $"the batch starts at offset {BatchFraming.BaseOffset(scanner.Current)}, expected {expected}"
                    : null;
                if (reason is not null)
                {
                    TruncateTail(segment, scanner.Position, length, reason);
                    DropSegmentsAfter(i);
                    return true;
                }

                segment.OnBatchWritten(scanner.Position, scanner.Current, _options.IndexIntervalBytes);
                expected = BatchFraming.LastOffset(scanner.Current) + 1;
                segment.Publish(scanner.Position + scanner.CurrentSize, expected);
                scanner.Advance();
            }
        }

        return false;
    }

    private void TruncateTail(LogSegment segment, long position, long length, string reason)
    {
        LogMessages.TruncatedTail(_logger, _directory, length - position, position, segment.Log.Path, reason);
        StorageMetrics.RecoveryTruncatedBytes.Add(length - position, StorageMetrics.Tags(_name));
        segment.TruncateTo(position, segment.NextOffset, segment.MaxTimestamp);
    }

    private void DropSegmentsAfter(int index)
    {
        var segments = _segments;
        for (var i = index + 1; i < segments.Length; i++)
        {
            StorageMetrics.RecoveryTruncatedBytes.Add(segments[i].Log.Length, StorageMetrics.Tags(_name));
            LogMessages.TruncatedTail(_logger, _directory, segments[i].Log.Length, 0, segments[i].Log.Path, "it follows a truncated segment");
            DeleteDuringRecovery(segments[i]);
        }

        _segments = segments[..(index + 1)];
    }

    /// <summary>Walks batches from <paramref name="from"/>; returns where the valid run ended, the next offset and the max timestamp.</summary>
    private (long End, long Next, long MaxTimestamp) ScanTail(LogSegment segment, long from, long end, long expected, bool verifyCrc)
    {
        var maxTs = -1L;
        using var scanner = new SegmentScanner(segment.Log, from, end, _options.MaxMessageBytes);
        while (scanner.TryNext(verifyCrc, out var status))
        {
            if (status != BatchStatus.Valid || BatchFraming.BaseOffset(scanner.Current) != expected)
            {
                break;
            }

            maxTs = Math.Max(maxTs, BatchFraming.MaxTimestamp(scanner.Current));
            expected = BatchFraming.LastOffset(scanner.Current) + 1;
            scanner.Advance();
        }

        return (scanner.Position, expected, maxTs);
    }

    /// <summary>Returns the greatest and the first batch max-timestamp below <paramref name="end"/> (batches already validated).</summary>
    private (long Max, long First) ScanTimestamps(LogSegment segment, long end)
    {
        long max = -1, first = -1;
        using var scanner = new SegmentScanner(segment.Log, 0, end, _options.MaxMessageBytes);
        while (scanner.TryNext(verifyCrc: false, out var status) && status == BatchStatus.Valid)
        {
            var ts = BatchFraming.MaxTimestamp(scanner.Current);
            first = first < 0 ? ts : first;
            max = Math.Max(max, ts);
            scanner.Advance();
        }

        return (max, first);
    }
}

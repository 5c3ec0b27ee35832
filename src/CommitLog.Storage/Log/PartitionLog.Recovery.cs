using System.Diagnostics;

namespace CommitLog.Storage;

public sealed partial class PartitionLog
{
    /// <summary>Opens the segments and brings the log to a consistent state (the only caller is <see cref="Open"/>).</summary>
    private void Load()
    {
        var started = Stopwatch.GetTimestamp();
        var files = _storage.ListFiles(_directory);
        RemoveLeftovers(files);
        var clean = files.Contains(SegmentFileNames.CleanShutdownFile);
        var checkpoint = _checkpointFile.Read();
        var bases = files
            .Select(f => SegmentFileNames.TryParse(f, SegmentFileNames.LogSuffix, out var b) ? b : -1)
            .Where(b => b >= 0)
            .Order()
            .ToList();

        if (bases.Count == 0)
        {
            if (checkpoint is { } c && c.RecoveryPoint > c.LogStartOffset)
            {
                FlushedDataDamaged(Path.Combine(_directory, SegmentFileNames.Name(c.SegmentBase, SegmentFileNames.LogSuffix)), 0,
                    $"no segment file exists, but the checkpoint records offsets {c.LogStartOffset} to {c.RecoveryPoint - 1} as flushed");
            }

            var start = checkpoint?.LogStartOffset ?? 0;
            var segment = LogSegment.Open(_storage, _directory, start, create: true);
            segment.CreatedAt = NowMs;
            _segments = [segment];
            _storage.SyncDirectory(_directory);
            _logStartOffset = start;
            _logEndOffset = start;
            _recoveryPoint = new FlushPoint(start, start, 0);
            WriteCheckpoint();
        }
        else
        {
            var segments = new List<LogSegment>(bases.Count);
            foreach (var b in bases)
            {
                segments.Add(LogSegment.Open(_storage, _directory, b, create: false));
                segments[^1].CreatedAt = NowMs;
            }

            _segments = [.. segments];
            DropSegmentsBelow(checkpoint?.LogStartOffset ?? 0);
            DropEmptyLeftovers(checkpoint);

            // Recovery writes a checkpoint: it must carry the log start already, or a crash right after it would
            // bring back records that DeleteRecordsBefore had removed.
            _logStartOffset = checkpoint?.LogStartOffset ?? 0;
            if (!(clean && checkpoint is { } c && TryLoadClean(c)))
            {
                RecoverUnclean(checkpoint);
            }

            ApplyLogStart(checkpoint?.LogStartOffset ?? 0);
            SettleIndexes();
        }

        LoadEpochs();
        LoadProducerState();
        if (clean)
        {
            _storage.DeleteFile(Path.Combine(_directory, SegmentFileNames.CleanShutdownFile));
            _storage.SyncDirectory(_directory);
        }

        StartBackground();
        LogMessages.Opened(_logger, _directory, _logStartOffset, _logEndOffset, _segments.Length, clean,
            (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private void RemoveLeftovers(IReadOnlyList<string> files)
    {
        var removed = false;
        foreach (var file in files)
        {
            if (file.EndsWith(SegmentFileNames.DeletedSuffix, StringComparison.Ordinal)
                || file.EndsWith(SegmentFileNames.CleanedSuffix, StringComparison.Ordinal)
                || file.EndsWith(SegmentFileNames.TempSuffix, StringComparison.Ordinal)
                || IsOrphanIndex(file, files))
            {
                _storage.DeleteFile(Path.Combine(_directory, file));
                removed = true;
            }
        }

        if (removed)
        {
            _storage.SyncDirectory(_directory);
        }
    }

    private static bool IsOrphanIndex(string file, IReadOnlyList<string> files)
    {
        var isIndex = SegmentFileNames.TryParse(file, SegmentFileNames.IndexSuffix, out var b)
            || SegmentFileNames.TryParse(file, SegmentFileNames.TimeIndexSuffix, out b);
        return isIndex && !files.Contains(SegmentFileNames.Name(b, SegmentFileNames.LogSuffix));
    }

    /// <summary>After a clean shutdown: trust the files, checking only the active segment's tail. False means "recover".</summary>
    private bool TryLoadClean(PartitionCheckpoint checkpoint)
    {
        var segments = _segments;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            OpenSealedSegment(i);
        }

        var active = segments[^1];
        var length = active.Log.Length;
        LoadIndexes(active, length, seal: false);
        var from = active.OffsetIndex.Last is { } last ? last.Value : 0;
        var expected = active.OffsetIndex.Last is { } l ? active.BaseOffset + l.Key : active.BaseOffset;
        var (end, next, maxTs) = ScanTail(active, from, length, expected, verifyCrc: true);
        if (end != length || next != checkpoint.RecoveryPoint)
        {
            return false;
        }

        active.Restore(length, next, Math.Max(maxTs, active.TimeIndex.Last?.Key ?? -1), active.TimeIndex.Last?.Key ?? maxTs);
        _logEndOffset = next;
        _recoveryPoint = new FlushPoint(next, active.BaseOffset, length);
        return true;
    }

    /// <summary>
    /// After a crash: segments below the recovery point are trusted (their tails checked); everything after it is
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

    /// <summary>Loads both indexes of a segment; rebuilds them from the log if either file is damaged.</summary>
    /// <param name="segment">The segment.</param>
    /// <param name="length">The valid length of the segment file.</param>
    /// <param name="seal">Whether lookups should go to the files (a sealed segment) rather than memory.</param>
    private void LoadIndexes(LogSegment segment, long length, bool seal)
    {
        var offsetOk = segment.OffsetIndex.Load(Math.Max(length, 1), valuesIncrease: true, seal);
        var timeOk = segment.TimeIndex.Load(int.MaxValue, valuesIncrease: false, seal);

        // A segment with data always has a time-index entry once its index was written (Seal adds one); an empty time
        // index there means the file was lost, and the segment's max timestamp would read as unknown.
        var timeMissing = length > 0 && segment.TimeIndex.Count == 0;
        if (!offsetOk || !timeOk || timeMissing)
        {
            LogMessages.RebuiltIndex(_logger, !offsetOk ? "offset index" : "time index", segment.BaseOffset, _directory);
            RebuildIndexes(segment, length);
        }
    }

    private void RebuildIndexes(LogSegment segment, long length)
    {
        segment.OffsetIndex.Clear();
        segment.TimeIndex.Clear();
        segment.Restore(0, segment.BaseOffset, -1, -1);
        using var scanner = new SegmentScanner(segment.Log, 0, length, _options.MaxMessageBytes);
        while (scanner.TryNext(verifyCrc: false, out var status) && status == BatchStatus.Valid)
        {
            segment.OnBatchWritten(scanner.Position, scanner.Current, _options.IndexIntervalBytes);
            segment.Publish(scanner.Position + scanner.CurrentSize, BatchFraming.LastOffset(scanner.Current) + 1);
            scanner.Advance();
        }

        segment.AddClosingTimeEntry();
        segment.PersistIndexes();
    }

    /// <summary>After loading: every segment but the last looks up in its index files; the last one's indexes are in memory.</summary>
    private void SettleIndexes()
    {
        for (var i = 0; i < _segments.Length - 1; i++)
        {
            if (!_segments[i].OffsetIndex.IsSealed || !_segments[i].TimeIndex.IsSealed)
            {
                _segments[i].SealIndexes();
            }
        }

        _segments[^1].OffsetIndex.EnsureActive();
        _segments[^1].TimeIndex.EnsureActive();
    }

    private void FlushedDataDamaged(string file, long position, string reason)
    {
        if (_options.RecoveryMode == RecoveryMode.Strict)
        {
            throw new CorruptRecordException(
                $"Log '{_directory}' has damaged flushed data in '{file}' at byte {position}: {reason}. The log was not opened, so nothing was cut. " +
                "Restore the data, or open with RecoveryMode.Salvage to keep only the valid prefix.", file, position) { LogDirectory = _directory };
        }
    }

    private void ApplyLogStart(long checkpointStart)
    {
        if (checkpointStart > _logEndOffset)
        {
            StartEmptyAt(checkpointStart);
            return;
        }

        var start = Math.Min(Math.Max(checkpointStart, _segments[0].BaseOffset), _logEndOffset);
        _logStartOffset = start;
        DropSegmentsBelow(start);
    }

    /// <summary>
    /// Deletes the segments that lie wholly below <paramref name="start"/>, keeping at least one. Retention and
    /// DeleteRecordsBefore checkpoint the new log start before they delete files, so after a crash such segments
    /// may still exist, with gaps between them where a concurrent deletion got further: they are not part of the
    /// log and must not be recovered or checked for continuity.
    /// </summary>
    private void DropSegmentsBelow(long start)
    {
        var drop = 0;
        while (drop < _segments.Length - 1 && _segments[drop + 1].BaseOffset <= start)
        {
            drop++;
        }

        if (drop > 0)
        {
            var old = _segments;
            _segments = old[drop..];
            for (var i = 0; i < drop; i++)
            {
                DeleteDuringRecovery(old[i]);
            }
        }
    }

    private bool EpochsMatchData()
    {
        var entries = _epochs.Entries;
        if (entries.Count == 0)
        {
            return _logEndOffset == _logStartOffset;
        }

        Span<byte> header = stackalloc byte[RecordBatchHeader.Size];

        // The newest batch must carry the newest epoch (an append whose cache write failed leaves the file behind).
        if (_logEndOffset > _logStartOffset)
        {
            var last = _segments[FloorSegment(_segments, _logEndOffset - 1)];
            var lastPosition = last.FindPosition(_logEndOffset - 1, last.Size);
            if (lastPosition < 0 || last.Read(lastPosition, header) < header.Length || BatchFraming.LeaderEpoch(header) != entries[^1].Epoch)
            {
                return false;
            }
        }

        foreach (var (epoch, start) in entries)
        {
            if (start >= _logEndOffset)
            {
                continue;
            }

            var checkedAt = Math.Max(start, _logStartOffset);
            var segment = _segments[FloorSegment(_segments, checkedAt)];
            var position = segment.FindPosition(checkedAt, segment.Size);
            if (position < 0 || segment.Read(position, header) < header.Length
                || BatchFraming.LeaderEpoch(header) != epoch
                || (start >= _logStartOffset && BatchFraming.BaseOffset(header) != start))
            {
                return false;
            }

            // The epoch starts exactly there: the batch before it belongs to an older epoch.
            if (start > _logStartOffset)
            {
                var before = _segments[FloorSegment(_segments, start - 1)];
                var previous = before.FindPosition(start - 1, before.Size);
                if (previous < 0 || before.Read(previous, header) < header.Length || BatchFraming.LeaderEpoch(header) >= epoch)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// The recovered log ends below the log start: records below the start were deleted, and the unflushed ones
    /// between were lost in the crash. Continuing at the recovered end would give those offsets to new records, so
    /// the log restarts empty at its start offset (as Kafka does).
    /// </summary>
    private void StartEmptyAt(long start)
    {
        var old = _segments;
        var fresh = LogSegment.Open(_storage, _directory, start, create: true);
        if (fresh.Log.Length > 0)
        {
            fresh.Log.SetLength(0);
            fresh.OffsetIndex.Clear();
            fresh.TimeIndex.Clear();
        }

        fresh.CreatedAt = NowMs;
        _storage.SyncDirectory(_directory);
        _segments = [fresh];
        foreach (var segment in old)
        {
            LogMessages.TruncatedTail(_logger, _directory, segment.Log.Length, 0, segment.Log.Path,
                $"the recovered log ends at {_logEndOffset}, below its start offset {start}");
            DeleteDuringRecovery(segment);
        }

        _logStartOffset = start;
        _logEndOffset = start;
        _recoveryPoint = new FlushPoint(start, start, 0);
        WriteCheckpoint();
    }

    private void LoadEpochs()
    {
        // The cache is a text file without a checksum: a missing file, or an entry that disagrees with the epoch stamped
        // on the batch it points at, means it is rebuilt from the batches.
        if (!_epochs.Load() || !EpochsMatchData())
        {
            LogMessages.RebuiltEpochCache(_logger, _directory);
            _epochs.Clear();
            foreach (var segment in _segments)
            {
                using var scanner = new SegmentScanner(segment.Log, 0, segment.Size, _options.MaxMessageBytes);
                while (scanner.TryNext(verifyCrc: false, out var status) && status == BatchStatus.Valid)
                {
                    _epochs.Assign(BatchFraming.LeaderEpoch(scanner.Current), BatchFraming.BaseOffset(scanner.Current), persist: false);
                    scanner.Advance();
                }
            }

            _epochs.Persist();
        }

        _epochs.TruncateFromEnd(_logEndOffset);
        _epochs.TruncateFromStart(_logStartOffset);
        _leaderEpoch = Math.Max(0, _epochs.LatestEpoch);
    }

    private void DeleteDuringRecovery(LogSegment segment)
    {
        if (!segment.MarkDeleted())
        {
            throw new IOException(
                $"Recovery of log '{_directory}' could not delete segment {segment.BaseOffset} (rename to .deleted or directory sync failed); the log was not opened.");
        }
    }

    /// <summary>
    /// Drops empty segment files left by a roll that failed: an empty segment, other than the first, that the
    /// checkpoint does not point at. They hold no records, and keeping them would break the offset continuity checks.
    /// </summary>
    private void DropEmptyLeftovers(PartitionCheckpoint? checkpoint)
    {
        if (_segments.Length < 2)
        {
            return;
        }

        var kept = new List<LogSegment>(_segments.Length);
        for (var i = 0; i < _segments.Length; i++)
        {
            var segment = _segments[i];
            var referenced = checkpoint is { } c && c.SegmentBase == segment.BaseOffset;
            // The first segment is never dropped: an empty first segment means its records were lost, and the
            // segments after it then fail the continuity check and are cut, as they must be.
            // A segment the checkpoint points at is never dropped either: recovery starts there.
            if (i > 0 && segment.Log.Length == 0 && !referenced)
            {
                LogMessages.TruncatedTail(_logger, _directory, 0, 0, segment.Log.Path, "an empty segment left by a roll that did not complete");
                DeleteDuringRecovery(segment);
                continue;
            }

            kept.Add(segment);
        }

        _segments = [.. kept];
    }

    /// <summary>Opens a sealed segment below the recovery point: its size from the file, its end from the next segment.</summary>
    private void OpenSealedSegment(int index)
    {
        var segment = _segments[index];
        var length = segment.Log.Length;
        var span = _segments[index + 1].BaseOffset - segment.BaseOffset;
        var offsetsOk = segment.OffsetIndex.LoadLazily((key, value) => key >= 0 && key < span && value >= 0 && value < length, valuesIncrease: true);
        var timesOk = offsetsOk && segment.TimeIndex.LoadLazily((_, value) => value >= 0 && value < span, valuesIncrease: false);
        // A segment with data and no time-index entry lost its time index (every batch has a timestamp entry at seal).
        if (!offsetsOk || !timesOk || (length > 0 && segment.TimeIndex.Count == 0))
        {
            LoadIndexes(segment, length, seal: true);
        }

        var maxTimestamp = segment.TimeIndex.Last?.Key ?? -1;
        segment.Restore(length, _segments[index + 1].BaseOffset, maxTimestamp, maxTimestamp);
    }
}

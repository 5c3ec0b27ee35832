namespace CommitLog.Storage;

public sealed partial class PartitionLog
{
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

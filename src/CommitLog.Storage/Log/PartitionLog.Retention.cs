namespace CommitLog.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Deletes the oldest sealed segments that are past <see cref="LogOptions.RetentionMs"/> (their newest record is
    /// older), that push the log over <see cref="LogOptions.RetentionBytes"/> (these two only when
    /// <see cref="LogOptions.CleanupPolicy"/> includes Delete), or that lie wholly below the log start offset. Whole segments only, never the active one; the log start offset moves to the first kept segment.
    /// Runs in the background every <see cref="LogOptions.RetentionCheckInterval"/> too.
    /// </summary>
    /// <returns>The number of segments deleted.</returns>
    /// <exception cref="LogStorageException">The storage failed.</exception>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public int EnforceRetention()
    {
        ThrowIfDisposed();
        LogSegment[] deleted;
        long newStart;
        lock (_checkpointLock)
        {
            lock (_appendLock)
            {
                ThrowIfFailStopped();
                (deleted, newStart) = SelectExpiredSegments();
            }

            if (deleted.Length == 0)
            {
                return 0;
            }

            // The new log start is durable before it is published and before any file goes, so that a crash can
            // never bring deleted records back.
            WriteCheckpointLocked(newStart, "retention");
            lock (_appendLock)
            {
                Volatile.Write(ref _segments, Volatile.Read(ref _segments)[deleted.Length..]);
                Volatile.Write(ref _logStartOffset, newStart);
                _epochs.TruncateFromStart(newStart, persist: false);
            }
        }

        TryPersistEpochs();
        TrimProducerState(newStart);
        var bytes = 0L;
        foreach (var segment in deleted)
        {
            bytes += segment.Size;
            DeleteSegment(segment);
        }

        StorageMetrics.RetentionDeletedSegments.Add(deleted.Length, StorageMetrics.Tags(_name));
        LogMessages.RetentionDeleted(_logger, deleted.Length, bytes, _directory, newStart);
        return deleted.Length;
    }

    /// <summary>
    /// Moves the log start offset up to <paramref name="offset"/> (Kafka DeleteRecords): records below it are no
    /// longer readable, and segments wholly below it are deleted. The new start is durable before this returns.
    /// </summary>
    /// <param name="offset">The new log start offset, at most <see cref="HighWatermark"/>.</param>
    /// <exception cref="OffsetOutOfRangeException"><paramref name="offset"/> is negative or above the high watermark.</exception>
    /// <exception cref="LogStorageException">The storage failed (the log start did not move), or the log is fail-stopped.</exception>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public void DeleteRecordsBefore(long offset)
    {
        ThrowIfDisposed();
        lock (_checkpointLock)
        {
            lock (_appendLock)
            {
                ThrowIfFailStopped();
                if (offset < 0 || offset > HighWatermark)
                {
                    throw new OffsetOutOfRangeException(offset, _logStartOffset, HighWatermark, _directory);
                }

                if (offset <= _logStartOffset)
                {
                    return;
                }
            }

            WriteCheckpointLocked(offset, "delete-records");
            lock (_appendLock)
            {
                Volatile.Write(ref _logStartOffset, offset);
                _epochs.TruncateFromStart(offset, persist: false);
            }
        }

        TryPersistEpochs();
        TrimProducerState(offset);
        EnforceRetention();
    }

    /// <summary>Picks the oldest sealed segments that retention removes, and the log start that follows. Under the append lock.</summary>
    private (LogSegment[] Deleted, long NewStart) SelectExpiredSegments()
    {
        var segments = Volatile.Read(ref _segments);
        var total = 0L;
        foreach (var s in segments)
        {
            total += s.Size;
        }

        // Time and size retention belong to cleanup.policy=delete; a compact-only log keeps its segments.
        var deletes = (_options.CleanupPolicy & LogCleanupPolicy.Delete) != 0;
        var retentionMs = deletes && _options.RetentionMs is { } r ? (long)r.TotalMilliseconds : -1;
        var retentionBytes = deletes ? _options.RetentionBytes : -1;
        var now = NowMs;
        var count = 0;
        for (; count < segments.Length - 1; count++)
        {
            var segment = segments[count];
            var belowStart = segments[count + 1].BaseOffset <= _logStartOffset;
            var expired = retentionMs >= 0 && segment.MaxTimestamp >= 0 && now - segment.MaxTimestamp > retentionMs;
            var overSize = retentionBytes >= 0 && total - retentionBytes >= segment.Size;

            // A replicated log deletes only below the high watermark (Kafka): followers may still need the rest.
            var aboveHighWatermark = _options.ReplicatedHighWatermark && segments[count + 1].BaseOffset > _highWatermark;
            if (!(belowStart || expired || overSize) || (aboveHighWatermark && !belowStart))
            {
                break;
            }

            total -= segment.Size;
        }

        return count == 0 ? ([], _logStartOffset) : (segments[..count], Math.Max(_logStartOffset, segments[count].BaseOffset));
    }

    /// <summary>
    /// Removes every batch from the one containing <paramref name="offset"/> on, so the log ends at or below it (used
    /// by replication to drop a divergent tail). The truncation is flushed before this returns.
    /// </summary>
    /// <param name="offset">The offset to cut at; at or above <see cref="LogEndOffset"/> does nothing.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is below <see cref="LogStartOffset"/>.</exception>
    /// <exception cref="LogStorageException">The storage failed; the log is fail-stopped.</exception>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public void TruncateTo(long offset)
    {
        ThrowIfDisposed();
        List<LogSegment> removed = [];

        // The checkpoint lock is held throughout (same order as WriteCheckpoint: checkpoint lock, then append lock),
        // so that the lowered recovery point below is on disk before any flushed byte is cut, and no concurrent
        // checkpoint can put a stale, higher one back in between.
        lock (_checkpointLock)
        {
            lock (_appendLock)
            {
                ThrowIfFailStopped();
                if (offset >= _logEndOffset)
                {
                    return;
                }

                if (offset < _logStartOffset)
                {
                    throw new ArgumentOutOfRangeException(nameof(offset), offset,
                        $"Cannot truncate below the log start offset {_logStartOffset}; the log holds offsets {_logStartOffset} to {_logEndOffset - 1}.");
                }

                var segments = Volatile.Read(ref _segments);
                var keep = FloorSegment(segments, offset);
                var segment = segments[keep];
                removed.AddRange(segments[(keep + 1)..]);
                var position = segment.FindPosition(offset, segment.Size);
                var newEnd = offset;
                if (position >= 0)
                {
                    Span<byte> head = stackalloc byte[8];
                    segment.Read(position, head);
                    newEnd = BatchFraming.BaseOffset(head);
                }
                else
                {
                    position = segment.Size;
                    newEnd = segment.NextOffset;
                }

                // The batch that holds the offset may start below the log start (DeleteRecordsBefore can move the
                // start into a batch); the log start follows the cut down so that the log never ends before it starts.
                var newStart = Math.Min(_logStartOffset, newEnd);
                try
                {
                    if (_recoveryPoint.Offset > newEnd)
                    {
                        // A crash after this leaves a checkpoint that vouches only for data that is kept. Cutting the
                        // file first would leave one that vouches for bytes no longer there (recovery then reports
                        // flushed data as lost).
                        _recoveryPoint = new FlushPoint(newEnd, segment.BaseOffset, position);
                        _flusher.Lower(newEnd);
                        _checkpointFile.Write(new PartitionCheckpoint(newEnd, segment.BaseOffset, position, newStart, Math.Min(PersistedHighWatermark, newEnd)));
                    }

                    segment.TruncateTo(position, newEnd, RecomputeMaxTimestamp(segment, position));
                    segment.Log.Flush();
                    RebuildProducerState(newEnd);
                    _producers.RemoveBelow(newStart);
                }
                catch (IOException e)
                {
                    OnFlushFailed(e);
                    ThrowIfFailStopped();
                }

                Volatile.Write(ref _segments, segments[..(keep + 1)]);
                Volatile.Write(ref _logEndOffset, newEnd);
                Volatile.Write(ref _logStartOffset, newStart);
                Volatile.Write(ref _highWatermark, Math.Clamp(_highWatermark, newStart, newEnd));
                _epochs.TruncateFromEnd(newEnd);
                ReportEpochWriteError();
                _truncations++;
            }

            foreach (var segment in removed)
            {
                DeleteSegment(segment);
            }
        }

        WriteCheckpoint();
        LogMessages.Truncated(_logger, _directory, offset);
    }

    /// <summary>Deletes a segment that is no longer in the log; a failure is logged, and the next open removes the files.</summary>
    private void DeleteSegment(LogSegment segment)
    {
        if (!segment.MarkDeleted())
        {
            LogMessages.SegmentDeleteFailed(_logger, segment.BaseOffset, _directory);
        }
    }

    private void TryPersistEpochs()
    {
        lock (_appendLock)
        {
            _epochs.TryPersist();
            ReportEpochWriteError();
        }
    }

    /// <summary>Logs a failed write of the leader-epoch cache (derived data; see <see cref="LeaderEpochCache.TryPersist"/>).</summary>
    private void ReportEpochWriteError()
    {
        if (_epochs.TakeWriteError() is { } error)
        {
            LogMessages.EpochCacheWriteFailed(_logger, error, _directory);
        }
    }

    private static long RecomputeMaxTimestamp(LogSegment segment, long end)
    {
        var max = -1L;
        using var scanner = new SegmentScanner(segment.Log, 0, end, int.MaxValue);
        while (scanner.TryNext(verifyCrc: false, out var status) && status == BatchStatus.Valid)
        {
            max = Math.Max(max, BatchFraming.MaxTimestamp(scanner.Current));
            scanner.Advance();
        }

        return max;
    }
}

namespace CommitLog.Storage;

public sealed partial class PartitionLog
{
    private readonly Lock _cleanerLock = new();
    private CleanerCheckpoint? _cleanerState;
    private volatile bool _swapIncomplete;

    /// <summary>
    /// Runs the log cleaner once (Kafka's log compaction): in the sealed segments, every record superseded by a later
    /// record with the same key is removed, and tombstones (null values) are removed once
    /// <see cref="LogOptions.DeleteRetention"/> has passed since the segment they were cleaned into last changed.
    /// Offsets never change; readers skip the removed ones. The active segment, segments younger than
    /// <see cref="LogOptions.MinCompactionLag"/> and everything after them are left alone.
    /// </summary>
    /// <param name="force">Clean even if the dirty ratio is below <see cref="LogOptions.MinCleanableDirtyRatio"/> (for tests and administration).</param>
    /// <param name="cancellationToken">Cancels the flush that precedes cleaning.</param>
    /// <returns>What was cleaned, or why nothing was.</returns>
    /// <remarks>Cleaned segments replace the old ones crash-safely (written as <c>.cleaned</c>, committed by a rename to
    /// <c>.swap</c>, finished by the next open if a crash interrupts); the old files are removed once no reader holds them.</remarks>
    /// <exception cref="LogStorageException">The storage failed (nothing was replaced, or the replacement is finished at the next open), or the log is fail-stopped.</exception>
    /// <exception cref="CorruptRecordException">A batch in a segment to clean is damaged; nothing was replaced.</exception>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public async ValueTask<CompactionResult> CompactAsync(bool force = false, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ThrowIfFailStopped();
        if ((_options.CleanupPolicy & LogCleanupPolicy.Compact) == 0)
        {
            return CompactionResult.Skipped("the cleanup policy does not include compact");
        }

        if (SegmentCount < 2)
        {
            return CompactionResult.Skipped("the log has no sealed segment");
        }

        if (!force)
        {
            // Cheap first look, before any flush: is there enough dirty data even if every sealed segment were cleanable?
            lock (_cleanerLock)
            {
                var estimate = PlanCleaning(ignoreRecoveryPoint: true);
                if (estimate.DirtyBytes == 0 || estimate.Ratio < _options.MinCleanableDirtyRatio)
                {
                    return CompactionResult.Skipped(
                        $"the dirty ratio {estimate.Ratio:0.###} is below min.cleanable.dirty.ratio {_options.MinCleanableDirtyRatio}", estimate.Ratio, estimate.DirtyEnd);
                }
            }
        }

        // A segment that the on-disk recovery point points into is never replaced: recovery re-reads it from a byte
        // position. Flushing and checkpointing first moves the recovery point into the active segment.
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            CheckpointAtSegmentStart();
        }
        catch (IOException e)
        {
            throw StorageFailed("Checkpointing before compaction", e);
        }

        cancellationToken.ThrowIfCancellationRequested();
        lock (_cleanerLock)
        {
            ThrowIfDisposed();
            return CompactLocked(force);
        }
    }

    /// <summary>
    /// Gets the dirty ratio of the sealed segments now (see <see cref="LogOptions.MinCleanableDirtyRatio"/>): bytes not yet
    /// cleaned over all bytes of the sealed segments old enough for <see cref="LogOptions.MinCompactionLag"/>.
    /// </summary>
    public double DirtyRatio
    {
        get
        {
            lock (_cleanerLock)
            {
                return PlanCleaning(ignoreRecoveryPoint: true).Ratio;
            }
        }
    }

    /// <summary>
    /// Writes the checkpoint; a recovery point at the very end of a sealed segment is recorded as the start of the next
    /// one (the same point), so that the sealed segment is free to be cleaned.
    /// </summary>
    private void CheckpointAtSegmentStart()
    {
        lock (_checkpointLock)
        {
            lock (_appendLock)
            {
                var point = _recoveryPoint;
                foreach (var segment in _segments)
                {
                    if (segment.BaseOffset == point.Offset && point.SegmentBase < segment.BaseOffset)
                    {
                        _recoveryPoint = new FlushPoint(point.Offset, segment.BaseOffset, 0);
                    }
                }
            }

            WriteCheckpointLocked(null, null);
        }
    }

    private CompactionResult CompactLocked(bool force)
    {
        if (_swapIncomplete)
        {
            return CompactionResult.Skipped("an earlier replacement of segments is finished only at the next open");
        }

        var plan = PlanCleaning();
        if (plan.End == 0)
        {
            return CompactionResult.Skipped("no sealed segment is cleanable (active, too young for min.compaction.lag, or not yet checkpointed)", 0, plan.DirtyEnd);
        }

        if (!force && (plan.DirtyBytes == 0 || plan.Ratio < _options.MinCleanableDirtyRatio))
        {
            return CompactionResult.Skipped(
                $"the dirty ratio {plan.Ratio:0.###} is below min.cleanable.dirty.ratio {_options.MinCleanableDirtyRatio}", plan.Ratio, plan.DirtyEnd);
        }

        var segments = plan.Segments;
        var acquired = 0;
        try
        {
            for (; acquired < plan.End; acquired++)
            {
                if (!segments[acquired].TryAcquire())
                {
                    return CompactionResult.Skipped("retention removed segments while the cleaner started; it runs again later");
                }
            }

            return Clean(plan);
        }
        finally
        {
            for (var i = 0; i < acquired; i++)
            {
                segments[i].Release();
            }
        }
    }

    private CompactionResult Clean(CleaningPlan plan)
    {
        var segments = plan.Segments;
        var state = _cleanerState!;
        var map = new KeyOffsetMap();
        var mapped = 0;
        for (var i = 0; i < plan.End; i++)
        {
            if (segments[i + 1].BaseOffset > plan.FirstDirty)
            {
                // The map is bounded (Kafka's dedupe buffer): once full, this run ends before the next dirty segment
                // and the next run carries on from there.
                if (mapped > 0 && map.Count >= _options.CleanerMaxKeys)
                {
                    plan = plan with { End = i, DirtyEnd = segments[i].BaseOffset };
                    break;
                }

                ForEachBatch(segments[i], batch => BatchCompactor.CollectKeys(batch, plan.FirstDirty, map, RecordBatch.DefaultMaxDecompressedBytes));
                mapped++;
            }
        }

        // The clock of delete.retention.ms: when each segment's records last changed. A dirty segment is cleaned for
        // the first time now; a cleaned one keeps the time it got when it was first cleaned.
        long LastModified(int i) => segments[i + 1].BaseOffset > plan.FirstDirty || !state.LastModified.TryGetValue(segments[i].BaseOffset, out var t) ? plan.Now : t;
        var deleteRetentionMs = (long)_options.DeleteRetention.TotalMilliseconds;
        var stats = new CleaningStats();
        var modified = new Dictionary<long, long>();
        var completed = true;
        for (var first = 0; first < plan.End;)
        {
            var last = first + 1;
            var size = segments[first].Size;
            while (last < plan.End && size + segments[last].Size <= _options.SegmentBytes
                && segments[last + 1].BaseOffset - segments[first].BaseOffset <= int.MaxValue)
            {
                size += segments[last].Size;
                last++;
            }

            var group = segments[first..last];
            var groupModified = Enumerable.Range(first, last - first).Max(LastModified);
            if (size > 0)
            {
                var dropTombstones = new bool[group.Length];
                for (var g = 0; g < group.Length; g++)
                {
                    dropTombstones[g] = plan.Now - LastModified(first + g) >= deleteRetentionMs;
                }

                if (!CleanGroup(group, segments[last].BaseOffset, map, dropTombstones, stats))
                {
                    completed = false;
                    break;
                }
            }

            modified[segments[first].BaseOffset] = groupModified;
            first = last;
        }

        if (completed)
        {
            state.CleanedOffset = plan.DirtyEnd;
            state.LastModified.Clear();
        }

        foreach (var (baseOffset, time) in modified)
        {
            state.LastModified[baseOffset] = time;
        }

        try
        {
            state.Write(_storage, _directory);
        }
        catch (IOException e)
        {
            // Derived data: a stale or missing file only makes the next run clean more and keep tombstones longer.
            LogMessages.CleanerCheckpointFailed(_logger, e, _directory);
        }

        var tags = StorageMetrics.Tags(_name);
        StorageMetrics.CompactionRuns.Add(1, tags);
        StorageMetrics.CompactionRecordsRemoved.Add(stats.RecordsRemoved, tags);
        StorageMetrics.CompactionBytesReclaimed.Add(stats.BytesBefore - stats.BytesAfter, tags);
        LogMessages.Compacted(_logger, _directory, stats.SegmentsBefore, stats.SegmentsAfter, stats.BytesBefore, stats.BytesAfter,
            stats.RecordsRemoved, stats.TombstonesRemoved, plan.FirstDirty, plan.DirtyEnd);
        return new CompactionResult
        {
            Cleaned = stats.SegmentsBefore > 0,
            SkipReason = stats.SegmentsBefore > 0 ? null : "the segments changed while the cleaner ran; it runs again later",
            DirtyRatio = plan.Ratio,
            CleanableEndOffset = plan.DirtyEnd,
            SegmentsBefore = stats.SegmentsBefore,
            SegmentsAfter = stats.SegmentsAfter,
            BytesBefore = stats.BytesBefore,
            BytesAfter = stats.BytesAfter,
            RecordsRemoved = stats.RecordsRemoved,
            TombstonesRemoved = stats.TombstonesRemoved,
        };
    }
}

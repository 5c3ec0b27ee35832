using System.Diagnostics;

namespace CommitLog.Storage;

public sealed partial class PartitionLog
{
    /// <summary>Opens the segments and brings the log to a consistent state (the only caller is <see cref="Open"/>).</summary>
    private void Load()
    {
        var started = Stopwatch.GetTimestamp();
        RemoveLeftovers(_storage.ListFiles(_directory));
        CompleteReset();
        CompleteSwaps();
        var files = _storage.ListFiles(_directory);
        var clean = files.Contains(SegmentFileNames.CleanShutdownFile);
        var checkpoint = _checkpointFile.Read();

        // Recovery writes checkpoints before the log end is known: they carry the persisted high watermark on (-1: none).
        _highWatermark = checkpoint?.HighWatermark ?? -1;
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

        _highWatermark = _highWatermark < 0 ? _logStartOffset : Math.Clamp(_highWatermark, _logStartOffset, _logEndOffset);
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
}

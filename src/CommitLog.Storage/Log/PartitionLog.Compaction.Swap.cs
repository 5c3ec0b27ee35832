using System.Buffers;

namespace CommitLog.Storage;

public sealed partial class PartitionLog
{
    private static readonly string[] SegmentSuffixes = [SegmentFileNames.IndexSuffix, SegmentFileNames.TimeIndexSuffix, SegmentFileNames.LogSuffix];

    /// <summary>
    /// Writes the cleaned copy of <paramref name="group"/> (consecutive sealed segments ending at <paramref name="groupEnd"/>)
    /// as one segment and swaps it in. Returns false if the segments changed meanwhile (nothing was replaced).
    /// </summary>
    private bool CleanGroup(LogSegment[] group, long groupEnd, KeyOffsetMap map, bool[] dropTombstones, CleaningStats stats)
    {
        var baseOffset = group[0].BaseOffset;
        var cleaned = CreateCleanedSegment(baseOffset);
        long removed = 0, tombstones = 0;
        var committed = false;
        try
        {
            var buffer = new ArrayBufferWriter<byte>(4096);
            for (var g = 0; g < group.Length; g++)
            {
                var drop = dropTombstones[g];

                // Kept: the latest record of its key, or a key only the clean part holds; tombstones until their time is up.
                // Records without a key cannot be compacted and are removed, as Kafka's cleaner does.
                RecordFilter keep = (offset, key, hasKey, isTombstone)
                    => hasKey && !(isTombstone && drop) && map.Get(key) is var latest && (latest < 0 || latest <= offset);
                ForEachBatch(group[g], batch =>
                {
                    buffer.ResetWrittenCount();
                    var result = BatchCompactor.Filter(batch, keep, buffer, RecordBatch.DefaultMaxDecompressedBytes);
                    removed += result.Removed;
                    tombstones += result.TombstonesRemoved;
                    var bytes = buffer.WrittenSpan;
                    var position = cleaned.Size;
                    cleaned.Write(bytes);
                    cleaned.OnBatchWritten(position, bytes, _options.IndexIntervalBytes);
                    cleaned.Publish(position + bytes.Length, BatchFraming.LastOffset(bytes) + 1);
                });
            }

            if (cleaned.NextOffset != groupEnd)
            {
                throw new CorruptRecordException(
                    $"The cleaner found that segments {baseOffset} to {groupEnd - 1} of '{_directory}' end at offset {cleaned.NextOffset - 1}, " +
                    $"not where the next segment starts ({groupEnd}). Nothing was replaced.") { LogDirectory = _directory };
            }

            cleaned.CreatedAt = group[0].CreatedAt;
            cleaned.SealIndexes();
            cleaned.Log.Flush();
            cleaned.OffsetIndex.PersistAndFlush();
            cleaned.TimeIndex.PersistAndFlush();
            _storage.SyncDirectory(_directory);
            committed = CommitSwap(group, groupEnd, cleaned);
        }
        catch (IOException e)
        {
            throw StorageFailed("Compaction", e);
        }
        finally
        {
            if (!committed)
            {
                cleaned.Close();
                DeleteCleanedFiles(baseOffset);
            }
        }

        if (committed)
        {
            stats.SegmentsBefore += group.Length;
            stats.SegmentsAfter++;
            stats.BytesBefore += group.Sum(s => s.Size);
            stats.BytesAfter += cleaned.Size;
            stats.RecordsRemoved += removed;
            stats.TombstonesRemoved += tombstones;
        }

        return committed;
    }

    private LogSegment CreateCleanedSegment(long baseOffset)
    {
        var files = new List<IO.ISegmentFile>(3);
        try
        {
            foreach (var suffix in SegmentSuffixes)
            {
                var file = _storage.OpenFile(SegmentFileNames.PathOf(_directory, baseOffset, suffix) + SegmentFileNames.CleanedSuffix, create: true);
                files.Add(file);
                file.SetLength(0);
            }
        }
        catch
        {
            files.ForEach(f => f.Dispose());
            throw;
        }

        return new LogSegment(_storage, _directory, baseOffset, files[2], new SparseIndex(files[0], isTimeIndex: false), new SparseIndex(files[1], isTimeIndex: true));
    }

    /// <summary>
    /// Kafka's swap: rename the cleaned files to <c>.swap</c> and sync the directory (the commit point: from here a
    /// crash finishes the swap at the next open), publish the cleaned segment, retire the old segments (renamed to
    /// <c>.deleted</c>, removed when their last reader is done), then give the <c>.swap</c> files their final names.
    /// </summary>
    private bool CommitSwap(LogSegment[] group, long groupEnd, LogSegment cleaned)
    {
        var baseOffset = group[0].BaseOffset;
        lock (_checkpointLock)
        {
            // Retention and truncation take the checkpoint lock too, so the segment list below cannot change under us
            // except for rolls at its end.
            if (_checkpointFile.Read() is not { } checkpoint || checkpoint.SegmentBase < groupEnd || !GroupIsCurrent(group))
            {
                return false;
            }

            foreach (var suffix in SegmentSuffixes)
            {
                var path = SegmentFileNames.PathOf(_directory, baseOffset, suffix);
                _storage.RenameFile(path + SegmentFileNames.CleanedSuffix, path + SegmentFileNames.SwapSuffix);
            }

            try
            {
                _storage.SyncDirectory(_directory);
            }
            catch (IOException)
            {
                var logPath = SegmentFileNames.PathOf(_directory, baseOffset, SegmentFileNames.LogSuffix);
                try
                {
                    _storage.RenameFile(logPath + SegmentFileNames.SwapSuffix, logPath + SegmentFileNames.CleanedSuffix);
                }
                catch (IOException)
                {
                    _swapIncomplete = true; // the next open may find the swap committed; it holds the same records
                }

                throw;
            }

            lock (_appendLock)
            {
                var current = _segments;
                var index = Array.IndexOf(current, group[0]);
                Volatile.Write(ref _segments, [.. current[..index], cleaned, .. current[(index + group.Length)..]]);
            }

            var retired = true;
            foreach (var old in group)
            {
                retired &= old.MarkDeleted();
            }

            try
            {
                if (!retired)
                {
                    throw new IOException("an old segment could not be renamed to .deleted");
                }

                foreach (var suffix in SegmentSuffixes)
                {
                    var path = SegmentFileNames.PathOf(_directory, baseOffset, suffix);
                    _storage.RenameFile(path + SegmentFileNames.SwapSuffix, path);
                }

                _storage.SyncDirectory(_directory);
            }
            catch (IOException e)
            {
                // The swap is committed and the cleaned segment is live; the next open finishes the renames. Until then
                // the cleaner leaves this log alone.
                _swapIncomplete = true;
                LogMessages.SwapIncomplete(_logger, e, baseOffset, _directory);
            }
        }

        return true;
    }

    private bool GroupIsCurrent(LogSegment[] group)
    {
        lock (_appendLock)
        {
            var current = _segments;
            var index = Array.IndexOf(current, group[0]);
            if (index < 0 || index + group.Length >= current.Length)
            {
                return false;
            }

            for (var i = 0; i < group.Length; i++)
            {
                if (!ReferenceEquals(current[index + i], group[i]))
                {
                    return false;
                }
            }

            return true;
        }
    }

    private void DeleteCleanedFiles(long baseOffset)
    {
        try
        {
            foreach (var suffix in SegmentSuffixes)
            {
                var path = SegmentFileNames.PathOf(_directory, baseOffset, suffix);
                _storage.DeleteFile(path + SegmentFileNames.CleanedSuffix);
                _storage.DeleteFile(path + SegmentFileNames.SwapSuffix);
            }
        }
        catch (IOException e)
        {
            LogMessages.CleanerCheckpointFailed(_logger, e, _directory); // leftovers are removed at the next open
        }
    }

    /// <summary>
    /// On open: a <c>.log.swap</c> file is a cleaned segment whose swap was committed. Finish it: delete the segments
    /// it replaces (those with a base offset in its range) and give the swap files their final names. Index swap
    /// files without a log swap are leftovers of an uncommitted swap and are deleted.
    /// </summary>
    private void CompleteSwaps()
    {
        var files = _storage.ListFiles(_directory);
        var changed = false;
        foreach (var file in files)
        {
            if (!file.EndsWith(SegmentFileNames.LogSuffix + SegmentFileNames.SwapSuffix, StringComparison.Ordinal)
                || !SegmentFileNames.TryParse(file[..^SegmentFileNames.SwapSuffix.Length], SegmentFileNames.LogSuffix, out var baseOffset))
            {
                continue;
            }

            long next;
            using (var swap = _storage.OpenFile(Path.Combine(_directory, file), create: false))
            {
                next = baseOffset;
                using var scanner = new SegmentScanner(swap, 0, swap.Length, _options.MaxMessageBytes);
                while (scanner.TryNext(verifyCrc: false, out var status) && status == BatchStatus.Valid)
                {
                    next = BatchFraming.LastOffset(scanner.Current) + 1;
                    scanner.Advance();
                }
            }

            foreach (var other in files)
            {
                if (SegmentFileNames.TryParse(other, SegmentFileNames.LogSuffix, out var replaced) && replaced >= baseOffset && replaced < next)
                {
                    foreach (var suffix in SegmentSuffixes)
                    {
                        _storage.DeleteFile(SegmentFileNames.PathOf(_directory, replaced, suffix));
                    }
                }
            }

            // The replaced segments are gone for good before the swap files take their names: otherwise a power loss
            // could keep the renames but lose the deletions, leaving old segments inside the cleaned one's range.
            _storage.SyncDirectory(_directory);
            foreach (var suffix in SegmentSuffixes)
            {
                var path = SegmentFileNames.PathOf(_directory, baseOffset, suffix);
                if (_storage.FileExists(path + SegmentFileNames.SwapSuffix))
                {
                    _storage.RenameFile(path + SegmentFileNames.SwapSuffix, path);
                }
            }

            LogMessages.SwapCompleted(_logger, baseOffset, next, _directory);
            changed = true;
        }

        foreach (var file in _storage.ListFiles(_directory))
        {
            if (file.EndsWith(SegmentFileNames.SwapSuffix, StringComparison.Ordinal))
            {
                _storage.DeleteFile(Path.Combine(_directory, file));
                changed = true;
            }
        }

        if (changed)
        {
            _storage.SyncDirectory(_directory);
        }
    }
}

using System.Buffers.Binary;

namespace CommitLog.Storage;

/// <content>
/// Restarting a replica's log empty at a given offset (Kafka's truncate-fully-and-start-at), crash-safe through a reset
/// marker file: once the marker is durable the reset is decided, and an open that finds it finishes the reset.
/// </content>
public sealed partial class PartitionLog
{
    /// <summary>The marker of a decided reset: 8 bytes of target offset, big-endian, then the CRC-32C of those 8 bytes.</summary>
    internal const string ResetMarkerFile = "log-reset.checkpoint";

    /// <summary>
    /// Removes every segment and restarts the log empty at <paramref name="offset"/>:
    /// <see cref="LogStartOffset"/>, <see cref="LogEndOffset"/> and <see cref="HighWatermark"/> all become
    /// <paramref name="offset"/>; the leader-epoch cache and the producer state are cleared. For a replica whose log
    /// ends below the leader's log start (the caller decides the offset; any offset is allowed).
    /// </summary>
    /// <param name="offset">The offset the empty log starts at; not negative.</param>
    /// <remarks>Crash-safe: after a crash at any point, the log opens either as it was or empty at
    /// <paramref name="offset"/>. The reset is durable before this returns.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative.</exception>
    /// <exception cref="LogStorageException">The storage failed. If nothing was decided yet the log is unchanged;
    /// otherwise it is fail-stopped and the next open finishes the reset.</exception>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public void ResetTo(long offset)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        LogSegment[] old;

        // Lock order: cleaner, checkpoint, append. No cleaner run, checkpoint or append interleaves with the reset.
        lock (_cleanerLock)
        {
            lock (_checkpointLock)
            {
                lock (_appendLock)
                {
                    ThrowIfDisposed();
                    ThrowIfFailStopped();
                    try
                    {
                        WriteResetMarker(offset);
                    }
                    catch (IOException e)
                    {
                        throw StorageFailed($"Resetting to offset {offset} (nothing changed)", e);
                    }

                    old = _segments;
                    try
                    {
                        ResetLocked(old, offset);
                    }
                    catch (IOException e)
                    {
                        OnFlushFailed(e);
                        ThrowIfFailStopped();
                    }
                }
            }
        }

        _dataSignal.Notify();
        LogMessages.Truncated(_logger, _directory, offset);
    }

    private void ResetLocked(LogSegment[] old, long offset)
    {
        // The marker is durable: from here a crash finishes the reset at the next open.
        foreach (var segment in old)
        {
            if (!segment.MarkDeleted())
            {
                throw new IOException($"Segment {segment.BaseOffset} of log '{_directory}' could not be renamed for deletion during a reset to offset {offset}.");
            }
        }

        var fresh = LogSegment.Open(_storage, _directory, offset, create: true);
        if (fresh.Log.Length > 0)
        {
            fresh.Log.SetLength(0);
        }

        fresh.OffsetIndex.Reset();
        fresh.TimeIndex.Reset();
        fresh.CreatedAt = NowMs;
        Volatile.Write(ref _segments, [fresh]);
        Volatile.Write(ref _logStartOffset, offset);
        Volatile.Write(ref _logEndOffset, offset);
        Volatile.Write(ref _highWatermark, offset);
        _recoveryPoint = new FlushPoint(offset, offset, 0);
        _flusher.Lower(offset);
        _flusher.Advance(offset);
        _unflushedMessages = 0;
        _truncations++;
        _producers.Clear();
        _epochs.Clear();
        _leaderEpoch = 0;
        _cleanerState = null;
        _storage.SyncDirectory(_directory);
        DeleteResetLeftovers(segmentFiles: false);
        _epochs.Persist();
        _checkpointFile.Write(new PartitionCheckpoint(offset, offset, 0, offset, offset));
        _storage.DeleteFile(Path.Combine(_directory, ResetMarkerFile));
        _storage.SyncDirectory(_directory);
    }

    /// <summary>At open, before anything else is read: finishes a reset whose marker is on disk.</summary>
    private void CompleteReset()
    {
        var content = CheckpointFile.TryRead(_storage, _directory, ResetMarkerFile);
        if (content is null)
        {
            return;
        }

        if (content.Length != 12 || BinaryPrimitives.ReadUInt32BigEndian(content.AsSpan(8)) != Crc32C.Compute(content.AsSpan(0, 8))
            || BinaryPrimitives.ReadInt64BigEndian(content) is var bad && bad < 0)
        {
            var path = Path.Combine(_directory, ResetMarkerFile);
            throw new CorruptRecordException(
                $"Log '{_directory}' has a damaged reset marker '{path}': a reset of the log was decided, but its target offset cannot be read. " +
                "The log was not opened; reset the replica again (delete the directory and copy it from the leader).", path, 0) { LogDirectory = _directory };
        }

        var offset = BinaryPrimitives.ReadInt64BigEndian(content);
        DeleteResetLeftovers(segmentFiles: true);
        _storage.SyncDirectory(_directory);
        _checkpointFile.Read();
        _checkpointFile.Write(new PartitionCheckpoint(offset, offset, 0, offset, offset));
        _storage.DeleteFile(Path.Combine(_directory, ResetMarkerFile));
        _storage.SyncDirectory(_directory);
        LogMessages.Truncated(_logger, _directory, offset);
    }

    private void WriteResetMarker(long offset)
    {
        var content = new byte[12];
        BinaryPrimitives.WriteInt64BigEndian(content, offset);
        BinaryPrimitives.WriteUInt32BigEndian(content.AsSpan(8), Crc32C.Compute(content.AsSpan(0, 8)));
        CheckpointFile.WriteAtomic(_storage, _directory, ResetMarkerFile, content);
    }

    /// <summary>Deletes the files an empty log must not have: producer snapshots, the epoch and cleaner checkpoints, and optionally the segments.</summary>
    private void DeleteResetLeftovers(bool segmentFiles)
    {
        foreach (var file in _storage.ListFiles(_directory))
        {
            var isSegmentFile = IsSegmentFile(file);
            if ((segmentFiles && isSegmentFile)
                || SegmentFileNames.TryParse(file, ProducerStateSnapshot.Suffix, out _)
                || file == SegmentFileNames.LeaderEpochFile
                || file == CleanerCheckpoint.FileName
                || file == SegmentFileNames.CleanShutdownFile)
            {
                _storage.DeleteFile(Path.Combine(_directory, file));
            }
        }
    }

    private static bool IsSegmentFile(string file)
    {
        foreach (var extra in new[] { string.Empty, SegmentFileNames.DeletedSuffix, SegmentFileNames.SwapSuffix, SegmentFileNames.CleanedSuffix })
        {
            foreach (var suffix in new[] { SegmentFileNames.LogSuffix, SegmentFileNames.IndexSuffix, SegmentFileNames.TimeIndexSuffix })
            {
                if (SegmentFileNames.TryParse(file, suffix + extra, out _))
                {
                    return true;
                }
            }
        }

        return false;
    }
}

using System.Diagnostics;
using CommitLog.Storage.IO;

namespace CommitLog.Storage;

public sealed partial class PartitionLog
{
    /// <summary>Flushes every record appended so far to the device.</summary>
    /// <param name="cancellationToken">Cancels the wait (the flush itself still runs).</param>
    /// <exception cref="LogStorageException">The flush failed; the log is fail-stopped.</exception>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return _flusher.WaitAsync(LogEndOffset, cancellationToken);
    }

    /// <summary>Closes the active segment and starts a new one at the log end offset (no-op if the active segment is empty).</summary>
    /// <exception cref="LogStorageException">The storage failed.</exception>
    public void Roll()
    {
        ThrowIfDisposed();
        lock (_appendLock)
        {
            ThrowIfFailStopped();
            if (!Active.IsEmpty)
            {
                try
                {
                    RollLocked(NowMs);
                }
                catch (IOException e)
                {
                    throw StorageFailed("Rolling the active segment", e);
                }
            }
        }
    }

    private LogSegment RollLocked(long now)
    {
        // The new segment is created and made durable before the active one is sealed, so a failure leaves the
        // active segment as it was and the append that triggered the roll fails cleanly.
        var segment = LogSegment.Open(_storage, _directory, _logEndOffset, create: true);
        try
        {
            if (segment.Log.Length > 0)
            {
                // Left over from an earlier roll that failed or crashed before any data reached it: it holds nothing acknowledged.
                segment.Log.SetLength(0);
            }

            segment.OffsetIndex.Reset();
            segment.TimeIndex.Reset();
            _storage.SyncDirectory(_directory);
            var (offsetBuffers, timeBuffers) = Active.SealIndexes();
            segment.OffsetIndex.Adopt(offsetBuffers);
            segment.TimeIndex.Adopt(timeBuffers);
        }
        catch
        {
            // Best effort: an empty segment file left behind holds nothing, and recovery drops it.
            segment.MarkDeleted();
            throw;
        }

        segment.CreatedAt = now;
        Volatile.Write(ref _segments, [.. Volatile.Read(ref _segments), segment]);
        TakeProducerSnapshot();
        _checkpointDue = true;
        _flusher.Request();
        StorageMetrics.SegmentRolls.Add(1, StorageMetrics.Tags(_name));
        LogMessages.Rolled(_logger, _directory, segment.BaseOffset);
        return segment;
    }

    /// <summary>The flusher's work: fdatasync every segment with unflushed data, then advance the recovery point.</summary>
    private void FlushToEnd()
    {
        FlushPoint target;
        long generation;
        lock (_appendLock)
        {
            var active = Active;
            target = new FlushPoint(_logEndOffset, active.BaseOffset, active.Size);
            generation = _truncations;
            Volatile.Write(ref _unflushedMessages, 0);
        }

        var start = Stopwatch.GetTimestamp();
        var flushedFrom = _flusher.Flushed;
        if (target.Offset > flushedFrom)
        {
            foreach (var segment in Volatile.Read(ref _segments))
            {
                if (segment.BaseOffset >= target.Offset || segment.NextOffset <= flushedFrom || !segment.TryAcquire())
                {
                    continue;
                }

                try
                {
                    segment.Log.Flush();
                }
                finally
                {
                    segment.Release();
                }
            }

            StorageMetrics.FlushDuration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, StorageMetrics.Tags(_name));
        }

        lock (_appendLock)
        {
            // A truncation while the flush ran invalidates its target; the next flush starts over.
            if (generation == _truncations && target.Offset > _recoveryPoint.Offset)
            {
                _recoveryPoint = target;
                _flusher.Advance(target.Offset);
            }
        }

        if (_checkpointDue || Stopwatch.GetElapsedTime(Volatile.Read(ref _lastCheckpointAt)) >= _options.CheckpointInterval)
        {
            try
            {
                WriteCheckpoint();
            }
            catch (IOException e) when (IOErrors.IsDiskFull(e))
            {
                // The data is flushed; only the checkpoint could not be replaced, and the old one (an earlier recovery
                // point) stays valid. A full disk must not fail-stop the log: retry at the next flush.
                _checkpointDue = true;
                LogMessages.CheckpointDiskFull(_logger, e, _directory);
            }
        }
    }

    /// <summary>Writes the recovery point, log start offset and high watermark durably. Lock order: checkpoint lock, then append lock.</summary>
    private void WriteCheckpoint()
    {
        lock (_checkpointLock)
        {
            WriteCheckpointLocked(null, null);
        }
    }

    /// <summary>
    /// Writes the recovery point and a log start offset durably; the caller holds the checkpoint lock. Lock order:
    /// checkpoint lock, then append lock.
    /// </summary>
    /// <param name="logStart">The log start to record, or null for the current one.</param>
    /// <param name="operation">When set, a failure is reported as a retriable <see cref="LogStorageException"/> naming it.</param>
    private void WriteCheckpointLocked(long? logStart, string? operation)
    {
        PartitionCheckpoint checkpoint;
        lock (_appendLock)
        {
            var point = _recoveryPoint;
            checkpoint = new PartitionCheckpoint(point.Offset, point.SegmentBase, point.Position, logStart ?? _logStartOffset, PersistedHighWatermark);
            _checkpointDue = false;
        }

        Volatile.Write(ref _lastCheckpointAt, Stopwatch.GetTimestamp());
        try
        {
            _checkpointFile.Write(checkpoint);
        }
        catch (IOException e) when (operation is not null)
        {
            throw new LogStorageException(
                $"The {operation} of log '{_directory}' could not write its checkpoint: {e.Message} Nothing changed; the operation can be retried.", e)
                { LogDirectory = _directory };
        }
    }
}

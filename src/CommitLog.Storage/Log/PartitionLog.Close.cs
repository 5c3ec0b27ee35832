namespace CommitLog.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Closes the log cleanly: stops background work, completes pending flush waiters, flushes every segment and
    /// index, writes the checkpoint and a clean-shutdown marker (so the next open skips recovery), closes the files
    /// and releases the directory lock. Safe to call more than once.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_flushTimer is not null)
        {
            await _flushTimer.DisposeAsync().ConfigureAwait(false);
        }

        if (_retentionTimer is not null)
        {
            await _retentionTimer.DisposeAsync().ConfigureAwait(false);
        }

        await _flusher.StopAsync().ConfigureAwait(false);
        CloseCore();
    }

    /// <summary>Closes the log cleanly; see <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void CloseCore()
    {
        // A cleaner run in progress finishes first (a new one sees the log disposed and does not start).
        lock (_cleanerLock)
        {
        }

        try
        {
            if (_failure is null)
            {
                FinalFlush();
            }
        }
#pragma warning disable CA1031 // Close must release the files and the lock whatever happened; the next open recovers.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogMessages.CloseFailed(_logger, e, _directory);
        }
        finally
        {
            CloseSegmentsQuietly();
            _directoryLock.Dispose();
            _dataSignal.Notify();
        }
    }

    private void FinalFlush()
    {
        lock (_appendLock)
        {
            var segments = _segments;
            var flushedFrom = _flusher.Flushed;
            segments[^1].AddClosingTimeEntry();
            foreach (var segment in segments)
            {
                if (segment.NextOffset > flushedFrom || segment == segments[^1])
                {
                    segment.Log.Flush();
                    segment.OffsetIndex.PersistAndFlush();
                    segment.TimeIndex.PersistAndFlush();
                }
            }

            var active = segments[^1];
            _recoveryPoint = new FlushPoint(_logEndOffset, active.BaseOffset, active.Size);
            _flusher.Advance(_logEndOffset);
            TakeProducerSnapshot();
        }

        WriteCheckpoint();
        CheckpointFile.WriteAtomic(_storage, _directory, SegmentFileNames.CleanShutdownFile, []);
    }

    private void CloseSegmentsQuietly()
    {
        _checkpointFile.Dispose();
        foreach (var segment in Volatile.Read(ref _segments))
        {
            try
            {
                segment.Close();
            }
#pragma warning disable CA1031 // Closing a file handle: nothing to do about a failure here.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }
}

namespace CommitLog.Storage;

/// <content>The high watermark of a replicated log (<see cref="LogOptions.ReplicatedHighWatermark"/>).</content>
public sealed partial class PartitionLog
{
    /// <summary>The high watermark the checkpoint records: the replicated one, or the log end for an unreplicated log. Under the append lock.</summary>
    private long PersistedHighWatermark => _options.ReplicatedHighWatermark ? _highWatermark : _logEndOffset;

    /// <summary>
    /// Moves the high watermark forward to <paramref name="offset"/> (the offset every in-sync replica has reached),
    /// making the records below it visible to consumers and waking readers that wait for them. A lower value than the
    /// current high watermark is ignored: it only moves forward (only <see cref="TruncateTo"/> and
    /// <see cref="ResetTo"/> lower it, to the new log end). It is persisted whenever the checkpoint is written and at
    /// a clean close; after a crash it may come back lower, never above the log end.
    /// </summary>
    /// <param name="offset">The new high watermark, at most <see cref="LogEndOffset"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is above the log end offset.</exception>
    /// <exception cref="InvalidOperationException">The log was opened without <see cref="LogOptions.ReplicatedHighWatermark"/>.</exception>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public void UpdateHighWatermark(long offset)
    {
        ThrowIfDisposed();
        if (!_options.ReplicatedHighWatermark)
        {
            throw new InvalidOperationException(
                $"Log '{_directory}' keeps its high watermark at the log end offset; open it with LogOptions.ReplicatedHighWatermark = true to set the high watermark.");
        }

        lock (_appendLock)
        {
            if (offset > _logEndOffset)
            {
                throw new ArgumentOutOfRangeException(nameof(offset), offset,
                    $"The high watermark {offset} cannot be above the log end offset {_logEndOffset} of log '{_directory}'.");
            }

            if (offset <= _highWatermark)
            {
                return;
            }

            Volatile.Write(ref _highWatermark, offset);
        }

        _dataSignal.Notify();
    }
}

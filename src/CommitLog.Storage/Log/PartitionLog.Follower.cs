namespace CommitLog.Storage;

/// <content>Appending batches copied from the partition leader, as they are.</content>
public sealed partial class PartitionLog
{
    /// <summary>
    /// Appends batches copied from the partition leader, as they are: base offsets, partition leader epochs, producer
    /// fields and timestamps are kept, so every batch's CRC is unchanged. <see cref="LogEndOffset"/> becomes the last
    /// batch's last offset + 1. A batch whose partition leader epoch is newer than the latest one known starts that
    /// epoch in the leader-epoch cache (at its base offset), and <see cref="LeaderEpoch"/> follows. The producer state
    /// is updated (so that, once this replica leads, a producer's retry of a copied batch is recognized as a duplicate),
    /// but nothing is rejected for it: the leader already decided.
    /// </summary>
    /// <param name="batches">Consecutive whole RecordBatch v2 batches as the leader stores them. The first must start at
    /// <see cref="LogEndOffset"/> and each next one right after the previous one's last offset: the log stores dense,
    /// contiguous offsets (a compacted leader keeps emptied batches, so its batches are contiguous too).</param>
    /// <param name="cancellationToken">Cancels waiting for a flush; the records may still be in the log.</param>
    /// <returns>The first and last offsets appended and the durability reached: <see cref="Durability.Flushed"/> under
    /// <see cref="FlushPolicy.BeforeAck"/>, otherwise <see cref="Durability.Written"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="batches"/> is empty, or a batch's base offset is not the next
    /// offset of the log (below it, overlapping the previous batch, or leaving a gap); nothing was appended. A follower
    /// whose log end is inside the leader's first batch (after a <see cref="ResetTo"/>) resets to that batch's base offset.</exception>
    /// <exception cref="CorruptRecordException">A batch is malformed: bad length, magic, CRC-32C or record count.</exception>
    /// <exception cref="RecordTooLargeException">A batch is larger than <see cref="LogOptions.MaxMessageBytes"/>.</exception>
    /// <exception cref="LogStorageException">Writing or flushing failed; nothing was acknowledged.</exception>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public ValueTask<AppendResult> AppendAsFollowerAsync(Memory<byte> batches, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<AppendResult>(cancellationToken);
        }

        return WaitForDurability(AppendAsFollowerCore(batches.Span), cancellationToken);
    }

    private AppendResult AppendAsFollowerCore(ReadOnlySpan<byte> data)
    {
        var (recordCount, maxTimestamp) = ValidateBatches(data, asFollower: true);
        long firstOffset, nextOffset;
        lock (_appendLock)
        {
            ThrowIfDisposed();
            ThrowIfFailStopped();
            firstOffset = _logEndOffset;
            nextOffset = CheckFollowerOffsets(data, firstOffset);
            var segment = Active;
            var now = NowMs;
            if (ShouldRoll(segment, data.Length, nextOffset - firstOffset, maxTimestamp, now))
            {
                try
                {
                    segment = RollLocked(now);
                }
                catch (IOException e)
                {
                    throw StorageFailed("Rolling to a new segment before a follower append (nothing was appended)", e);
                }
            }

            WriteLocked(segment, data, nextOffset);
            _producers.Apply(data);
            AssignFollowerEpochs(data);
            _unflushedMessages += recordCount;
        }

        AfterWrite(recordCount, data.Length);
        return new AppendResult(firstOffset, nextOffset - 1, -1, Durability.Written);
    }

    /// <summary>Checks that the batches continue the log exactly; returns the log end offset after them.</summary>
    private long CheckFollowerOffsets(ReadOnlySpan<byte> data, long logEnd)
    {
        var expected = logEnd;
        var index = 0;
        while (!data.IsEmpty)
        {
            var size = RecordBatchHeader.ReadTotalSize(data);
            var batch = data[..size];
            var baseOffset = BatchFraming.BaseOffset(batch);
            var lastOffset = BatchFraming.LastOffset(batch);
            if (baseOffset != expected)
            {
                var what = index == 0
                    ? baseOffset < expected
                        ? $"starts at offset {baseOffset}, below the log end offset {logEnd} (it overlaps records the log holds)"
                        : $"starts at offset {baseOffset}, above the log end offset {logEnd} (offsets {logEnd} to {baseOffset - 1} would be missing)"
                    : baseOffset < expected
                        ? $"starts at offset {baseOffset}, which overlaps the previous batch (that one ends at offset {expected - 1})"
                        : $"starts at offset {baseOffset}, leaving a gap after the previous batch (that one ends at offset {expected - 1})";
                throw new ArgumentException(
                    $"Follower append to log '{_directory}' rejected: batch {index} (offsets {baseOffset} to {lastOffset}) {what}. " +
                    $"Each batch must start right after the previous one, the first at the log end offset {logEnd}. Nothing was appended.",
                    "batches");
            }

            expected = lastOffset + 1;
            data = data[size..];
            index++;
        }

        return expected;
    }

    /// <summary>Starts a new epoch in the cache at each batch whose leader epoch is newer than the latest one. Under the append lock.</summary>
    private void AssignFollowerEpochs(ReadOnlySpan<byte> data)
    {
        // The records are written and visible, so the append stands even if the epoch cache cannot be written: open
        // checks the cache against the batches (and rebuilds it) if an entry never got there.
        while (!data.IsEmpty)
        {
            var size = RecordBatchHeader.ReadTotalSize(data);
            var epoch = BatchFraming.LeaderEpoch(data);
            if (epoch > _epochs.LatestEpoch)
            {
                _epochs.Assign(epoch, BatchFraming.BaseOffset(data));
                ReportEpochWriteError();
                _leaderEpoch = Math.Max(_leaderEpoch, epoch);
            }

            data = data[size..];
        }
    }
}

namespace CommitLog.Storage;

/// <content>
/// The idempotent-producer state (KIP-98): loaded at open from the newest usable snapshot plus a replay of the batches
/// after it, snapshotted at every roll and at clean close, rolled back by truncation, trimmed by retention.
/// </content>
public sealed partial class PartitionLog
{
    private readonly ProducerState _producers = new();

    private long ProducerExpirationMs => (long)_options.ProducerIdExpiration.TotalMilliseconds;

    /// <summary>At open, after recovery settled the log end: snapshot plus replay, then drop what retention removed.</summary>
    private void LoadProducerState()
    {
        RebuildProducerState(_logEndOffset);
        _producers.RemoveBelow(_logStartOffset);
    }

    /// <summary>
    /// Rebuilds the state as of <paramref name="end"/>: deletes snapshots above it (durably, since their batches are
    /// gone and later appends would make them look valid), loads the newest snapshot at or below it that passes its
    /// checks (damaged ones are deleted), and replays the batches from there to <paramref name="end"/>. Under the
    /// append lock, or before the log is shared.
    /// </summary>
    private void RebuildProducerState(long end)
    {
        var offsets = ProducerStateSnapshot.List(_storage, _directory);
        var removed = false;
        long loaded = -1;
        for (var i = offsets.Count - 1; i >= 0; i--)
        {
            var offset = offsets[i];
            if (offset <= end && loaded >= 0)
            {
                break;
            }

            if (offset <= end)
            {
                var content = ProducerStateSnapshot.TryRead(_storage, _directory, offset);
                if (content is not null && ProducerStateSnapshot.TryLoad(content, offset, _producers))
                {
                    loaded = offset;
                    continue;
                }

                LogMessages.ProducerSnapshotDamaged(_logger, ProducerStateSnapshot.FileName(offset), _directory);
            }

            _storage.DeleteFile(Path.Combine(_directory, ProducerStateSnapshot.FileName(offset)));
            removed = true;
        }

        if (removed)
        {
            _storage.SyncDirectory(_directory);
        }

        if (loaded < 0)
        {
            _producers.Clear();
        }

        _producers.RemoveExpired(NowMs, ProducerExpirationMs);
        var from = Math.Max(loaded, _segments[0].BaseOffset);
        ReplayProducerBatches(from, end);
        LogMessages.ProducerStateLoaded(_logger, _directory, _producers.Count, loaded, from, end);
    }

    /// <summary>Applies every batch that ends at or after <paramref name="from"/> and starts below <paramref name="end"/>.</summary>
    private void ReplayProducerBatches(long from, long end)
    {
        foreach (var segment in _segments)
        {
            if (segment.NextOffset <= from || segment.BaseOffset >= end)
            {
                continue;
            }

            var position = segment.BaseOffset >= from ? 0 : segment.FindPosition(from, segment.Size);
            if (position < 0)
            {
                continue;
            }

            using var scanner = new SegmentScanner(segment.Log, position, segment.Size, int.MaxValue);
            while (scanner.TryNext(verifyCrc: false, out var status) && status == BatchStatus.Valid)
            {
                var batch = scanner.Current;
                if (BatchFraming.BaseOffset(batch) >= end)
                {
                    break;
                }

                if (BatchFraming.LastOffset(batch) >= from)
                {
                    _producers.ApplyBatch(batch);
                }

                scanner.Advance();
            }
        }
    }

    /// <summary>
    /// Writes the state as of the log end (at a roll or a clean close), first dropping expired producer ids. Under the
    /// append lock. A failure is logged, not thrown: the snapshot only shortens the replay at the next open.
    /// </summary>
    private void TakeProducerSnapshot()
    {
        _producers.RemoveExpired(NowMs, ProducerExpirationMs);
        try
        {
            ProducerStateSnapshot.Write(_storage, _directory, _logEndOffset, _producers);
        }
        catch (IOException e)
        {
            LogMessages.ProducerSnapshotFailed(_logger, e, _logEndOffset, _directory);
        }
    }

    /// <summary>The log start moved: producer ids whose last batch is below it go; so do snapshots below it but the newest of those.</summary>
    private void TrimProducerState(long logStartOffset)
    {
        lock (_appendLock)
        {
            _producers.RemoveBelow(logStartOffset);
            var offsets = ProducerStateSnapshot.List(_storage, _directory);
            var keep = offsets.FindLastIndex(o => o <= logStartOffset);
            for (var i = 0; i < keep; i++)
            {
                var file = ProducerStateSnapshot.FileName(offsets[i]);
                try
                {
                    _storage.DeleteFile(Path.Combine(_directory, file));
                }
                catch (IOException e)
                {
                    LogMessages.ProducerSnapshotDeleteFailed(_logger, e, file, _directory);
                }
            }
        }
    }

    private AppendResult DuplicateResult(ProducerStateBatch original)
        => new(original.FirstOffset, original.LastOffset, _options.TimestampType == TimestampType.LogAppendTime ? original.Timestamp : -1, Durability.Written)
        {
            IsDuplicate = true,
        };
}

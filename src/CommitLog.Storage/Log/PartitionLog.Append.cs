using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace CommitLog.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Appends one or more encoded RecordBatch v2 batches, assigning them the next offsets. The log writes the assigned
    /// base offsets and its leader epoch into <paramref name="batches"/> (and, under LogAppendTime, the timestamps and
    /// CRC), so the buffer must not be changed until the append completes.
    /// </summary>
    /// <param name="batches">Consecutive whole batches as a producer encodes them (base offset 0, CRC-32C set).</param>
    /// <param name="cancellationToken">Cancels waiting for a flush; the records may still be in the log.</param>
    /// <remarks>
    /// Idempotent batches (producer id at least 0) are checked against the producer's state first: a retry of one of
    /// its last 5 batches is not appended and completes with the original offsets (<see cref="AppendResult.IsDuplicate"/>);
    /// a retry must be appended alone. A producer id the log does not know may start at any sequence.
    /// </remarks>
    /// <returns>The assigned offsets and the durability reached: <see cref="Durability.Flushed"/> under
    /// <see cref="FlushPolicy.BeforeAck"/>, otherwise <see cref="Durability.Written"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="batches"/> is empty.</exception>
    /// <exception cref="CorruptRecordException">A batch is malformed: bad length, magic, CRC-32C or record count.</exception>
    /// <exception cref="InvalidRecordException">The log is compacted (<see cref="LogOptions.CleanupPolicy"/>) and a record has no key.</exception>
    /// <exception cref="RecordTooLargeException">A batch is larger than <see cref="LogOptions.MaxMessageBytes"/>.</exception>
    /// <exception cref="ProducerFencedException">A batch's producer epoch is older than the producer id's current one.</exception>
    /// <exception cref="OutOfOrderSequenceException">A batch's sequence does not follow the producer's last batch (a gap, or a retry older than the last 5).</exception>
    /// <exception cref="DuplicateSequenceException">A retried batch was appended together with other batches.</exception>
    /// <exception cref="LogStorageException">Writing or flushing failed; nothing was acknowledged.</exception>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public ValueTask<AppendResult> AppendAsync(Memory<byte> batches, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<AppendResult>(cancellationToken);
        }

        return WaitForDurability(AppendCore(batches.Span), cancellationToken);
    }

    /// <summary>Completes an append: at once when written is enough, else when its records are flushed (<see cref="FlushPolicy.BeforeAck"/>).</summary>
    private ValueTask<AppendResult> WaitForDurability(AppendResult result, CancellationToken cancellationToken)
    {
        if (!_options.FlushPolicy.IsBeforeAck)
        {
            return new ValueTask<AppendResult>(result);
        }

        var wait = _flusher.WaitAsync(result.LastOffset + 1, cancellationToken);
        return wait.IsCompletedSuccessfully
            ? new ValueTask<AppendResult>(result with { Durability = Durability.Flushed })
            : AwaitFlushAsync(wait, result);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<AppendResult> AwaitFlushAsync(ValueTask wait, AppendResult result)
    {
        await wait.ConfigureAwait(false);
        return result with { Durability = Durability.Flushed };
    }

    private AppendResult AppendCore(Span<byte> data)
    {
        var (recordCount, maxTimestamp) = ValidateBatches(data);
        long firstOffset, nextOffset, appendTime = -1;
        lock (_appendLock)
        {
            ThrowIfDisposed();
            ThrowIfFailStopped();
            if (_producers.CheckAppend(data, _directory, out var original))
            {
                return DuplicateResult(original);
            }

            var segment = Active;
            firstOffset = _logEndOffset;
            var now = NowMs;
            if (_options.TimestampType == TimestampType.LogAppendTime)
            {
                appendTime = now;
                maxTimestamp = now;
            }

            if (ShouldRoll(segment, data.Length, recordCount, maxTimestamp, now))
            {
                try
                {
                    segment = RollLocked(now);
                }
                catch (IOException e)
                {
                    throw StorageFailed("Rolling to a new segment before an append (nothing was appended)", e);
                }
            }

            nextOffset = AssignOffsets(data, firstOffset, appendTime);
            WriteLocked(segment, data, nextOffset);
            _producers.Apply(data);
            if (_leaderEpoch > _epochs.LatestEpoch)
            {
                // The records are written and visible, so the append stands even if the epoch cache cannot be
                // written: open checks the cache against the batches (and rebuilds it) if this entry never got there.
                _epochs.Assign(_leaderEpoch, firstOffset);
                ReportEpochWriteError();
            }

            _unflushedMessages += recordCount;
        }

        AfterWrite(recordCount, data.Length);
        return new AppendResult(firstOffset, nextOffset - 1, appendTime, Durability.Written);
    }

    /// <summary>After an append released the lock: wakes readers, counts it, and asks for a flush when flush.messages is reached.</summary>
    private void AfterWrite(long recordCount, int bytes)
    {
        _dataSignal.Notify();
        var tags = StorageMetrics.Tags(_name);
        StorageMetrics.AppendRecords.Add(recordCount, tags);
        StorageMetrics.AppendBytes.Add(bytes, tags);
        if (!_options.FlushPolicy.IsBeforeAck && Volatile.Read(ref _unflushedMessages) >= _options.FlushPolicy.Messages)
        {
            _flusher.Request();
        }
    }

    /// <summary>Writes validated batches to the active segment, indexes them and publishes the new log end. Under the append lock.</summary>
    private void WriteLocked(LogSegment segment, ReadOnlySpan<byte> data, long nextOffset)
    {
        var position = segment.Size;
        try
        {
            segment.Write(data);
        }
        catch (IOException e)
        {
            throw RollBackWrite(segment, position, e);
        }

        var batchPosition = position;
        var rest = data;
        while (!rest.IsEmpty)
        {
            var size = RecordBatchHeader.ReadTotalSize(rest);
            segment.OnBatchWritten(batchPosition, rest[..size], _options.IndexIntervalBytes);
            batchPosition += size;
            rest = rest[size..];
        }

        segment.Publish(position + data.Length, nextOffset);
        Volatile.Write(ref _logEndOffset, nextOffset);
    }

    /// <summary>Checks every batch's framing, size, CRC and record count before anything is written.</summary>
    /// <param name="data">The batches.</param>
    /// <param name="asFollower">Batches copied from a leader: they may hold fewer records than offsets (compacted),
    /// and keyless records are accepted on a compacted log (the leader decided).</param>
    private (long Records, long MaxTimestamp) ValidateBatches(ReadOnlySpan<byte> data, bool asFollower = false)
    {
        if (data.IsEmpty)
        {
            throw new ArgumentException("The buffer holds no record batch; append at least one RecordBatch v2 batch.", nameof(data));
        }

        long records = 0, maxTimestamp = -1;
        var position = 0;
        var index = 0;
        while (position < data.Length)
        {
            var rest = data[position..];
            if (rest.Length >= RecordBatchHeader.LogOverhead)
            {
                var declared = (long)BinaryPrimitives.ReadInt32BigEndian(rest[RecordBatchHeader.BatchLengthOffset..]) + RecordBatchHeader.LogOverhead;
                if (declared > _options.MaxMessageBytes)
                {
                    throw new RecordTooLargeException(declared, _options.MaxMessageBytes);
                }
            }

            var status = RecordBatchValidator.Check(rest, out var size);
            if (status != BatchValidationResult.Valid)
            {
                var detail = RecordBatchValidator.CreateException(status, rest, null, -1);
                throw new CorruptRecordException(
                    $"Batch {index} at byte {position} of the appended buffer is invalid. {detail.Message} Nothing was appended.", innerException: detail);
            }

            var batch = rest[..size];
            var count = BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchHeader.RecordsCountOffset..]);
            var delta = BatchFraming.LastOffsetDelta(batch);
            if (count != delta + 1L && !asFollower)
            {
                throw new CorruptRecordException(
                    $"Batch {index} at byte {position} of the appended buffer declares {count} records but lastOffsetDelta {delta}; " +
                    "a producer batch must have recordsCount = lastOffsetDelta + 1. Nothing was appended.");
            }

            // Consumers decode recordsCount records from the section; a batch that disagrees could be stored but never read.
            if (BatchFraming.CountUncompressedRecords(batch) is { } found && found != count)
            {
                throw new CorruptRecordException(
                    $"Batch {index} at byte {position} of the appended buffer declares recordsCount {count}, but its records section holds " +
                    (found < 0 ? "a partial record" : $"{found} records") + "; they must agree. Nothing was appended.");
            }

            if ((_options.CleanupPolicy & LogCleanupPolicy.Compact) != 0 && !asFollower)
            {
                RequireKeys(batch, index, position);
            }

            records += count;
            maxTimestamp = Math.Max(maxTimestamp, BatchFraming.MaxTimestamp(batch));
            position += size;
            index++;
        }

        return (records, maxTimestamp);
    }

    /// <summary>A compacted log keeps the latest record per key, so every record of a data batch needs one (Kafka: INVALID_RECORD).</summary>
    private void RequireKeys(ReadOnlySpan<byte> batch, int index, int position)
    {
        if (BatchCompactor.IsControl(batch))
        {
            return;
        }

        var reader = new KeyedRecordReader(BatchCompactor.Section(batch, RecordBatch.DefaultMaxDecompressedBytes), BatchCompactor.RecordCount(batch));
        for (var i = 0; reader.MoveNext(); i++)
        {
            if (!reader.HasKey)
            {
                throw new InvalidRecordException(
                    $"Compacted log '{_directory}' cannot accept a record without a key: record {i} of batch {index} (at byte {position} of the appended buffer) " +
                    "has a null key. Give every record a key, or use cleanup.policy=delete. Nothing was appended.") { LogDirectory = _directory };
            }
        }
    }

    private long AssignOffsets(Span<byte> data, long offset, long appendTime)
    {
        var epoch = _leaderEpoch;
        while (!data.IsEmpty)
        {
            var size = RecordBatchHeader.ReadTotalSize(data);
            var batch = data[..size];
            RecordBatchHeader.WriteBaseOffset(batch, offset);
            RecordBatchHeader.WritePartitionLeaderEpoch(batch, epoch);
            if (appendTime >= 0)
            {
                var attributes = BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..]);
                BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..], (short)(attributes | RecordBatchHeader.TimestampTypeFlag));
                BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchHeader.MaxTimestampOffset..], appendTime);
                BinaryPrimitives.WriteUInt32BigEndian(batch[RecordBatchHeader.CrcOffset..], RecordBatchHeader.ComputeCrc(batch));
            }

            offset += BatchFraming.LastOffsetDelta(batch) + 1L;
            data = data[size..];
        }

        return offset;
    }

    private bool ShouldRoll(LogSegment segment, int bytes, long records, long maxTimestamp, long now)
    {
        if (segment.IsEmpty)
        {
            return false;
        }

        if (segment.Size + bytes > _options.SegmentBytes)
        {
            return true;
        }

        if (_logEndOffset + records - segment.BaseOffset > int.MaxValue)
        {
            return true;
        }

        var waited = segment.RollingBasedTimestamp >= 0 && maxTimestamp >= 0
            ? maxTimestamp - segment.RollingBasedTimestamp
            : now - segment.CreatedAt;
        return waited > (long)_options.SegmentMs.TotalMilliseconds;
    }

    /// <summary>Undoes a failed write by cutting the file back; if even that fails, the log fail-stops.</summary>
    private LogStorageException RollBackWrite(LogSegment segment, long position, IOException error)
    {
        try
        {
            segment.Log.SetLength(position);
        }
#pragma warning disable CA1031 // Any failure to restore the file means the log can no longer vouch for its tail.
        catch (Exception rollbackError)
#pragma warning restore CA1031
        {
            _failure ??= new LogStorageException(
                $"Appending to '{segment.Log.Path}' failed ({error.Message}) and the partial write could not be removed ({rollbackError.Message}). " +
                "The log stopped accepting writes; reopen it to recover.", error, isFailStopped: true) { LogDirectory = _directory };
            return _failure;
        }

        LogMessages.AppendRolledBack(_logger, error, _directory);
        return new LogStorageException(
            $"Appending to '{segment.Log.Path}' failed: {error.Message}. Nothing was appended and the log is intact; the append can be retried (for a full disk, once space is freed).",
            error) { LogDirectory = _directory };
    }
}

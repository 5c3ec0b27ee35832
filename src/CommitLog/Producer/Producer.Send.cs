using System.Runtime.CompilerServices;
using CommitLog.Storage;

namespace CommitLog;

/// <content>Sending sealed batches, reporting outcomes, flushing and closing.</content>
internal sealed partial class Producer<TKey, TValue>
{
    private static readonly TimeSpan RetryBackoff = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Test hook, null outside tests: called after each successful append; returning <see langword="true"/> loses that
    /// acknowledgement (the records stay in the log, the producer sees a retriable storage error and retries the same bytes).
    /// </summary>
    internal Func<TopicPartition, AppendResult, bool>? LoseAcknowledgement { get; set; }

    public int Flush(TimeSpan timeout)
    {
        Interlocked.Increment(ref _flushing);
        try
        {
            SealAll();
            try
            {
                WaitDrainedAsync().WaitAsync(timeout, Time).GetAwaiter().GetResult();
            }
            catch (TimeoutException)
            {
            }

            return (int)Math.Min(int.MaxValue, Volatile.Read(ref _pending));
        }
        finally
        {
            Interlocked.Decrement(ref _flushing);
        }
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _flushing);
        try
        {
            SealAll();
            await WaitDrainedAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _flushing);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        Interlocked.Increment(ref _flushing);
        SealAll();
        try
        {
            await WaitDrainedAsync().WaitAsync(_disposeTimeout, Time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        PartitionSender<TKey, TValue>[] senders;
        lock (_sendersGate)
        {
            senders = [.. _allSenders];
        }

        long left = Volatile.Read(ref _pending);
        if (left > 0)
        {
            ProducerLogMessages.AbandonedOnClose(_logger, Name, left);
        }

        var error = new ObjectDisposedException(Name, "The producer was disposed before the record was acknowledged.");
        foreach (PartitionSender<TKey, TValue> sender in senders)
        {
            sender.Abandon(error);
            sender.Dispose();
        }

        while (_batchPool.TryDequeue(out ProducerBatch<TKey, TValue>? batch))
        {
            batch.Dispose();
        }

        ProducerLogMessages.Closed(_logger, Name);
    }

    internal ProducerBatch<TKey, TValue> RentBatch(CompressionType compression)
    {
        ProducerBatch<TKey, TValue> batch;
        if (_batchPool.TryDequeue(out ProducerBatch<TKey, TValue>? pooled))
        {
            Interlocked.Decrement(ref _pooledBatches);
            batch = pooled;
        }
        else
        {
            batch = new();
        }

        batch.Reset(compression);
        return batch;
    }

    /// <summary>Returns a batch's buffer space and keeps the batch for reuse.</summary>
    internal void Recycle(ProducerBatch<TKey, TValue> batch)
    {
        _memory.Release(batch.Bytes);
        ProducerMetrics.BufferChanged(-batch.Bytes);
        batch.Bytes = 0;
        if (Volatile.Read(ref _closed) == 0 && Interlocked.Increment(ref _pooledBatches) <= _maxPooledBatches)
        {
            _batchPool.Enqueue(batch);
        }
        else
        {
            Interlocked.Decrement(ref _pooledBatches);
            batch.Dispose();
        }
    }

    /// <summary>Appends one sealed batch, retrying retriable failures with the same bytes; reports and recycles it. Never throws.</summary>
    /// <returns>Whether the batch was reported as failed.</returns>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<bool> SendAsync(PartitionSender<TKey, TValue> sender, ProducerBatch<TKey, TValue> batch)
    {
        TopicPartition tp = sender.TopicPartition;
        int count = batch.Records.Count;
        Exception? error = null;
        AppendResult result = default;
        try
        {
            Memory<byte> bytes = batch.Builder.Build();
            ProducerMetrics.BatchSent(tp.Topic, bytes.Length);
            for (int attempt = 0; ; attempt++)
            {
                TimeSpan remaining = _config.DeliveryTimeoutMs - Time.GetElapsedTime(batch.CreatedTimestamp);
                if (batch.IsReported)
                {
                    break; // expired while the previous attempt was running
                }

                if (remaining <= TimeSpan.Zero)
                {
                    error = new DeliveryTimeoutException(tp, count, _config.DeliveryTimeoutMs, error);
                    break;
                }

                long start = Time.GetTimestamp();
                try
                {
                    // The sender's expiry timer reports the batch as timed out even when the append blocks the calling
                    // thread; the loop still waits for the append to return, so the partition's order is kept.
                    sender.ArmExpiry(remaining);
                    try
                    {
                        result = await _broker.AppendAsync(tp, bytes, _config.Acks, CancellationToken.None).ConfigureAwait(false);
                    }
                    finally
                    {
                        sender.DisarmExpiry();
                    }

                    if (LoseAcknowledgement?.Invoke(tp, result) == true)
                    {
                        throw new LogStorageException($"Injected lost acknowledgement of the append at offset {result.FirstOffset}.");
                    }

                    ProducerMetrics.AppendLatency(tp.Topic, Time.GetElapsedTime(start));
                    ProducerLogMessages.BatchSent(_logger, count, bytes.Length, tp, result.FirstOffset);
                    error = null;
                    break;
                }
                catch (CommitLogException e) when (e.IsRetriable && attempt < _config.Retries && !batch.IsReported)
                {
                    error = e;
                    ProducerMetrics.Retried(tp.Topic);
                    ProducerLogMessages.Retrying(_logger, e, count, tp, attempt + 1);
                    TimeSpan wait = remaining < RetryBackoff ? remaining : RetryBackoff;
                    await Task.Delay(wait, Time).ConfigureAwait(false);
                }
            }
        }
#pragma warning disable CA1031 // The send loop's boundary: every failure is reported to the records' senders.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error = e;
        }

        Report(tp, batch, error, result);
        bool failed = batch.Failed;
        Recycle(batch);
        return failed;
    }

    /// <summary>Reports a batch in flight as timed out when <c>delivery.timeout.ms</c> passed since it was created.</summary>
    /// <returns>The time still left when it has not expired yet.</returns>
    internal TimeSpan ExpireIfDue(TopicPartition tp, ProducerBatch<TKey, TValue> batch)
    {
        TimeSpan left = _config.DeliveryTimeoutMs - Time.GetElapsedTime(batch.CreatedTimestamp);
        if (left <= TimeSpan.Zero)
        {
            Report(tp, batch, new DeliveryTimeoutException(tp, batch.Records.Count, _config.DeliveryTimeoutMs), default);
        }

        return left;
    }

    /// <summary>Reports a batch's outcome to every record's handler or awaiter, once.</summary>
    internal void Report(TopicPartition tp, ProducerBatch<TKey, TValue> batch, Exception? error, AppendResult result)
    {
        if (!batch.TryMarkReported())
        {
            return;
        }

        batch.Failed = error is not null;

        List<PendingRecord<TKey, TValue>> records = batch.Records;
        if (error is null)
        {
            ProducerMetrics.RecordsSent(tp.Topic, records.Count);
        }
        else
        {
            ProducerMetrics.RecordErrors(tp.Topic, records.Count);
            ProducerLogMessages.BatchFailed(_logger, error, records.Count, tp);
        }

        for (int i = 0; i < records.Count; i++)
        {
            PendingRecord<TKey, TValue> record = records[i];
            if (record.Reported)
            {
                continue;
            }

            Offset offset = error is null ? new Offset(result.FirstOffset + i) : Offset.Unset;
            Timestamp timestamp = error is null && result.LogAppendTime >= 0
                ? new Timestamp(result.LogAppendTime, TimestampType.LogAppendTime)
                : new Timestamp(record.TimestampMs);
            Durability durability = error is null ? result.Durability : Durability.None;
            if (record.Completion is { } completion)
            {
                if (error is null)
                {
                    completion.SetResult(new DeliveryResult<TKey, TValue>
                    {
                        Topic = tp.Topic, Partition = tp.Partition, Offset = offset, Timestamp = timestamp, Durability = durability,
                        Message = record.Message,
                    });
                }
                else
                {
                    completion.SetException(error);
                }
            }
            else if (record.Handler is { } handler)
            {
                InvokeHandler(handler, new DeliveryReport<TKey, TValue>(tp, offset, timestamp, durability, record.Message, error));
            }
        }

        OnRecordsDone(records.Count);
    }

    private void InvokeHandler(Action<DeliveryReport<TKey, TValue>> handler, in DeliveryReport<TKey, TValue> report)
    {
        try
        {
            handler(report);
        }
#pragma warning disable CA1031 // A user's handler must not stop the producer; its failure is logged.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ProducerLogMessages.HandlerFailed(_logger, e, Name);
        }
    }

    private void SealAll()
    {
        foreach (PartitionSender<TKey, TValue> sender in _senders.Values)
        {
            sender.SealNow();
        }
    }

    private void OnRecordsDone(int count)
    {
        if (Interlocked.Add(ref _pending, -count) == 0)
        {
            TaskCompletionSource? drained;
            lock (_drainGate)
            {
                drained = _drained;
                _drained = null;
            }

            drained?.TrySetResult();
        }
    }

    private Task WaitDrainedAsync()
    {
        lock (_drainGate)
        {
            if (Volatile.Read(ref _pending) == 0)
            {
                return Task.CompletedTask;
            }

            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task;
        }
    }
}

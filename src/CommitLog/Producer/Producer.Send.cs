using CommitLog.Storage;

namespace CommitLog;

/// <content>Sending sealed batches, reporting outcomes, flushing and closing.</content>
internal sealed partial class Producer<TKey, TValue>
{
    /// <summary>The pause before a failed batch is sent again (Kafka's <c>retry.backoff.ms</c> default).</summary>
    internal static readonly TimeSpan RetryBackoff = TimeSpan.FromMilliseconds(100);

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

    /// <summary>
    /// Test hook, null outside tests: called instead of the broker's append with the partition, the batch bytes and the
    /// real append; it may refuse (throw or return a failed task without calling it), call it and delay the answer, or
    /// call it and fail anyway (a lost acknowledgement).
    /// </summary>
    internal Func<TopicPartition, Memory<byte>, Func<ValueTask<AppendResult>>, ValueTask<AppendResult>>? InterceptAppend { get; set; }

    /// <summary>Gets <c>retries</c>.</summary>
    internal int Retries => _config.Retries;

    /// <summary>Gets <c>delivery.timeout.ms</c>.</summary>
    internal TimeSpan DeliveryTimeout => _config.DeliveryTimeoutMs;

    /// <summary>Gets how many batches of a partition may be in flight (<c>max.in.flight.requests.per.connection</c>).</summary>
    internal int MaxInFlight => _config.MaxInFlightRequestsPerConnection;

    /// <summary>
    /// Issues one batch's append. The append is ordered into the partition before this returns (written to the local
    /// log, handed to the local leader, or queued on the ordered link to a remote leader); only the answer may come
    /// later. The partition's sender issues the next batch only after this returned, so batches reach the log in the
    /// order they were issued.
    /// </summary>
    internal ValueTask<AppendResult> IssueAppend(TopicPartition tp, Memory<byte> bytes)
    {
        if (InterceptAppend is { } hook)
        {
            return hook(tp, bytes, () => _broker.AppendAsync(tp, bytes, _config.Acks, CancellationToken.None));
        }

        return _broker.AppendAsync(tp, bytes, _config.Acks, CancellationToken.None);
    }

    /// <summary>Applies the lost-acknowledgement test hook to a successful append; records the latency and logs it.</summary>
    /// <returns>The injected failure, or null.</returns>
    internal Exception? Acknowledged(TopicPartition tp, ProducerBatch<TKey, TValue> batch, AppendResult result)
    {
        if (LoseAcknowledgement?.Invoke(tp, result) == true)
        {
            return new LogStorageException($"Injected lost acknowledgement of the append at offset {result.FirstOffset}.");
        }

        ProducerMetrics.AppendLatency(tp.Topic, Time.GetElapsedTime(batch.SentTimestamp));
        ProducerLogMessages.BatchSent(_logger, batch.Records.Count, batch.Encoded.Length, tp, result.FirstOffset);
        return null;
    }

    /// <summary>Counts and logs a batch that will be sent again.</summary>
    internal void Retrying(TopicPartition tp, ProducerBatch<TKey, TValue> batch, Exception error)
    {
        ProducerMetrics.Retried(tp.Topic);
        ProducerLogMessages.Retrying(_logger, error, batch.Records.Count, tp, batch.Attempts);
    }

    /// <summary>Reports a batch whose outcome is known (unless it was reported already) and recycles it. Never throws.</summary>
    internal void Complete(TopicPartition tp, ProducerBatch<TKey, TValue> batch)
    {
        if (batch.Error is null)
        {
            Report(tp, batch, null, batch.Result);
        }
        else
        {
            Report(tp, batch, batch.Error, default);
        }

        Recycle(batch);
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

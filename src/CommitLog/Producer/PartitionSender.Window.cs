using System.Runtime.CompilerServices;
using CommitLog.Storage;

namespace CommitLog;

/// <content>
/// The send window: up to <c>max.in.flight.requests.per.connection</c> batches in flight, issued one after another in
/// seal order, reported in that order.
/// <para>Ordering: a batch's append is ordered into the partition when <see cref="Producer{TKey, TValue}.IssueAppend"/>
/// returns (see there); the loop issues the next batch only after that, so batches reach the log in window order.</para>
/// <para>Retries: a batch that fails retriably is marked for resend and nothing new is issued; once every append in flight
/// returned and the retry backoff passed, the batches marked for resend are sent again, in window order, then new ones.
/// With idempotence, a batch refused as out of sequence behind a batch that failed (or was refused) is resent after
/// it with the same numbers (the log acknowledges a batch it already holds again, at its original offsets); when the
/// failed batch failed for good, the producer moved to a new epoch, and the refused batches are renumbered in it.
/// Without idempotence nothing tells the log the order, so with more than one batch in flight a retry may land after
/// batches issued after it (as in Kafka).</para>
/// </content>
internal sealed partial class PartitionSender<TKey, TValue>
{
    private readonly List<ProducerBatch<TKey, TValue>> _window = [];
    private readonly int _maxInFlight;
    private readonly bool _idempotent;
    private bool _reporting;
    private bool _hold;
    private bool _resending;
    private long _resumeAt;
    private short _epoch;
    private short _ackedEpoch = -1;
    private int _nextSequence;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask RunAsync()
    {
        while (true)
        {
            ProducerBatch<TKey, TValue>? batch;
            TimeSpan wait;
            bool drain;
            lock (_gate)
            {
                batch = NextLocked(out wait, out drain);
                if (batch is null && wait <= TimeSpan.Zero)
                {
                    _sending = false;
                }
            }

            if (drain)
            {
                Drain();
            }

            if (batch is not null)
            {
                Issue(batch);
            }
            else if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _owner.Time).ConfigureAwait(false);
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>Picks the next batch to send (a resend, or the next sealed batch) and adds new ones to the window.</summary>
    /// <param name="wait">Set when nothing may be sent until the retry backoff passed.</param>
    /// <param name="drain">Set when a batch was failed here (expired) and must be reported.</param>
    private ProducerBatch<TKey, TValue>? NextLocked(out TimeSpan wait, out bool drain)
    {
        wait = TimeSpan.Zero;
        drain = false;
        if (_abandoned)
        {
            return null;
        }

        if (_hold || EpochChangedLocked())
        {
            _hold = true;
            if (!_resending)
            {
                if (AnyIssuedLocked())
                {
                    return null; // the last answer restarts the loop
                }

                wait = _owner.Time.GetElapsedTime(_owner.Time.GetTimestamp(), _resumeAt);
                if (wait > TimeSpan.Zero)
                {
                    return null;
                }

                wait = TimeSpan.Zero;
                if (EpochChangedLocked())
                {
                    _epoch = _owner.Epoch; // every batch of the old epoch has answered: number the next ones from 0
                    _nextSequence = 0;
                }

                _resending = true;
            }

            foreach (ProducerBatch<TKey, TValue> batch in _window)
            {
                if (batch.State != BatchSendState.Resend)
                {
                    continue;
                }

                if (batch.IsReported || ExpiredLocked(batch))
                {
                    drain = true;
                    continue;
                }

                if (_idempotent && batch.Builder.ProducerEpoch != _epoch)
                {
                    if (batch.NotWritten)
                    {
                        SequenceLocked(batch); // refused behind a batch that failed for good: renumbered in the new epoch
                    }
                    else
                    {
                        _resending = false; // outcome unknown in the old epoch: learn it before sending anything after it
                    }
                }

                if (_idempotent && _ackedEpoch != _epoch)
                {
                    _resending = false; // the log may not know this epoch yet: one batch at a time until one is acknowledged
                }

                batch.State = BatchSendState.Issued;
                return batch;
            }

            _hold = false;
            _resending = false;
        }

        while (CanIssueNewLocked())
        {
            if (!_sealed.TryDequeue(out ProducerBatch<TKey, TValue>? batch))
            {
                if (!OpenIsDueLocked())
                {
                    return null;
                }

                SealLocked();
                batch = _sealed.Dequeue();
            }

            _window.Add(batch);
            if (_window.Count == 1)
            {
                RearmExpiryLocked();
            }

            if (ExpiredLocked(batch))
            {
                drain = true;
                continue;
            }

            if (_idempotent)
            {
                SequenceLocked(batch);
            }

            batch.State = BatchSendState.Issued;
            return batch;
        }

        return null;
    }

    /// <summary>Whether a new batch may be added to the window now.</summary>
    private bool CanIssueNewLocked()
        => !_abandoned && !_hold && !EpochChangedLocked() && _window.Count < _maxInFlight
            // The first batch of an epoch goes alone: until the log knows this producer id and epoch it cannot tell a
            // gap, so a later batch must not get ahead of a first one that was refused.
            && (!_idempotent || _window.Count == 0 || _ackedEpoch == _epoch);

    private bool EpochChangedLocked() => _idempotent && _owner.Epoch != _epoch;

    private bool AnyIssuedLocked()
    {
        foreach (ProducerBatch<TKey, TValue> batch in _window)
        {
            if (batch.State == BatchSendState.Issued)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Starts the send loop if it is idle and has something to do.</summary>
    private bool TryStartLocked()
    {
        if (_sending || _abandoned)
        {
            return false;
        }

        bool work = _hold || EpochChangedLocked()
            ? !AnyIssuedLocked()
            : CanIssueNewLocked() && (_sealed.Count > 0 || OpenIsDueLocked());
        _sending = work;
        return work;
    }

    /// <summary>Fails a batch whose <c>delivery.timeout.ms</c> passed before it could be sent (again).</summary>
    private bool ExpiredLocked(ProducerBatch<TKey, TValue> batch)
    {
        if (!batch.IsReported && _owner.Time.GetElapsedTime(batch.CreatedTimestamp) < _owner.DeliveryTimeout)
        {
            return false;
        }

        batch.Error = new DeliveryTimeoutException(TopicPartition, batch.Records.Count, _owner.DeliveryTimeout, batch.Error);
        FailLocked(batch);
        return true;
    }

    /// <summary>Gives a batch the partition's next sequence numbers in the current epoch.</summary>
    private void SequenceLocked(ProducerBatch<TKey, TValue> batch)
    {
        RecordBatchBuilder builder = batch.Builder;
        builder.ProducerId = _owner.ProducerId;
        builder.ProducerEpoch = _epoch;
        builder.BaseSequence = _nextSequence;
        _nextSequence = NextSequence(_nextSequence, batch.Records.Count);
        batch.Sequenced = true;
        batch.NotWritten = false;
        batch.Encoded = default; // rebuilt with the new numbers
    }

    /// <summary>Sends one batch; the append is ordered into the partition before this returns.</summary>
    private void Issue(ProducerBatch<TKey, TValue> batch)
    {
        ValueTask<AppendResult> task;
        try
        {
            if (batch.Encoded.IsEmpty)
            {
                batch.Encoded = batch.Builder.Build();
                if (batch.Attempts == 0)
                {
                    ProducerMetrics.BatchSent(TopicPartition.Topic, batch.Encoded.Length);
                }
            }

            batch.Attempts++;
            batch.SentTimestamp = _owner.Time.GetTimestamp();
            task = _owner.IssueAppend(TopicPartition, batch.Encoded);
        }
#pragma warning disable CA1031 // The send loop's boundary: every failure is reported to the records' senders.
        catch (Exception e)
#pragma warning restore CA1031
        {
            OnAppended(batch, default, e);
            return;
        }

        if (!task.IsCompleted)
        {
            _ = AwaitAppendAsync(batch, task);
            return;
        }

        AppendResult result = default;
        Exception? error = null;
        try
        {
            result = task.Result;
        }
#pragma warning disable CA1031 // As above.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error = e;
        }

        OnAppended(batch, result, error);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitAppendAsync(ProducerBatch<TKey, TValue> batch, ValueTask<AppendResult> task)
    {
        AppendResult result = default;
        Exception? error = null;
        try
        {
            result = await task.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // As above.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error = e;
        }

        OnAppended(batch, result, error);
    }
}

using CommitLog.Storage;

namespace CommitLog;

/// <content>
/// The answers of a partition's appends: each is taken as acknowledged, to be sent again, or failed for good; the
/// window's head is then reported while it is done, so reports (delivery handlers, awaited results) keep the order
/// the batches were sealed in.
/// </content>
internal sealed partial class PartitionSender<TKey, TValue>
{
    /// <summary>Takes an append's answer: acknowledged, to be sent again, or failed for good; then reports what it can.</summary>
    private void OnAppended(ProducerBatch<TKey, TValue> batch, AppendResult result, Exception? error)
    {
        if (error is null)
        {
            error = _owner.Acknowledged(TopicPartition, batch, result);
        }

        bool retrying = false;
        lock (_gate)
        {
            if (error is null)
            {
                batch.Result = result;
                batch.Error = null;
                batch.State = BatchSendState.Done;
                if (batch.IsReported)
                {
                    FailLocked(batch); // reported as timed out while the append ran
                }
                else if (_idempotent && batch.Builder.ProducerEpoch == _epoch)
                {
                    _ackedEpoch = _epoch;
                }
            }
            else
            {
                batch.Error = error;
                bool behindFailure = _idempotent && error is OutOfOrderSequenceException
                    && (batch.Builder.ProducerEpoch != _owner.Epoch || UnresolvedBeforeLocked(batch));
                if (!_abandoned && !batch.IsReported
                    && (behindFailure || (error is CommitLogException { IsRetriable: true } && batch.Attempts <= _owner.Retries)))
                {
                    batch.State = BatchSendState.Resend;
                    batch.NotWritten = error is OutOfOrderSequenceException;
                    _hold = true;
                    _resending = false;
                    long at = behindFailure ? 0 : _owner.Time.GetTimestamp()
                        + (long)(Producer<TKey, TValue>.RetryBackoff.TotalSeconds * _owner.Time.TimestampFrequency);
                    _resumeAt = Math.Max(_resumeAt, at);
                    retrying = true;
                }
                else
                {
                    FailLocked(batch);
                }
            }
        }

        if (retrying)
        {
            _owner.Retrying(TopicPartition, batch, error!);
        }

        Drain();
    }

    /// <summary>Whether a batch before <paramref name="batch"/> in the window is not acknowledged (failed, or still open).</summary>
    private bool UnresolvedBeforeLocked(ProducerBatch<TKey, TValue> batch)
    {
        foreach (ProducerBatch<TKey, TValue> earlier in _window)
        {
            if (ReferenceEquals(earlier, batch))
            {
                return false;
            }

            if (earlier.State != BatchSendState.Done || earlier.Error is not null || earlier.IsReported)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Marks a batch failed for good. With idempotence, a batch that was sent leaves its sequence state unknown, so the
    /// producer moves to a new epoch (<see cref="Producer{TKey, TValue}.BumpEpoch"/>, as Kafka's producer does, KIP-360).
    /// </summary>
    private void FailLocked(ProducerBatch<TKey, TValue> batch)
    {
        batch.State = BatchSendState.Done;
        if (_idempotent && batch.Sequenced)
        {
            _owner.BumpEpoch(batch.Builder.ProducerEpoch, TopicPartition);
        }
    }

    /// <summary>Reports the window's finished batches from its head, in order; one caller at a time.</summary>
    private void Drain()
    {
        lock (_gate)
        {
            if (_reporting)
            {
                return; // the caller reporting now picks up what became reportable
            }

            _reporting = true;
        }

        while (true)
        {
            ProducerBatch<TKey, TValue>? head = null;
            bool start = false;
            lock (_gate)
            {
                if (_window.Count > 0 && _window[0].State == BatchSendState.Done)
                {
                    head = _window[0];
                    _window.RemoveAt(0);
                    RearmExpiryLocked();
                }
                else
                {
                    _reporting = false;
                    start = TryStartLocked();
                }
            }

            if (head is null)
            {
                if (start)
                {
                    // Only an answer that arrived on its own (a pool thread) gets here with work to start: send the next
                    // batches from this thread rather than waiting for another.
                    _ = RunAsync();
                }

                return;
            }

            _owner.Complete(TopicPartition, head);
        }
    }

    /// <summary>Points the delivery timeout at the window's oldest batch (one timer per partition, reused).</summary>
    private void RearmExpiryLocked()
    {
        TimeSpan due = Timeout.InfiniteTimeSpan;
        if (_window.Count > 0)
        {
            due = _owner.DeliveryTimeout - _owner.Time.GetElapsedTime(_window[0].CreatedTimestamp);
            due = due < TimeSpan.Zero ? TimeSpan.Zero : due;
        }

        _expiryTimer.Change(due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Reports the window's batches whose delivery timeout passed while their appends were still out, oldest first.</summary>
    private void OnExpiryDue()
    {
        ProducerBatch<TKey, TValue>[] window;
        lock (_gate)
        {
            window = [.. _window];
        }

        foreach (ProducerBatch<TKey, TValue> batch in window)
        {
            if (batch.IsReported || batch.State == BatchSendState.Done)
            {
                continue;
            }

            // The loop still waits for the append to return, so the partition's order is kept.
            TimeSpan left = _owner.ExpireIfDue(TopicPartition, batch);
            if (left > TimeSpan.Zero)
            {
                _expiryTimer.Change(left, Timeout.InfiniteTimeSpan);
                return;
            }
        }
    }
}

using CommitLog.Storage;

namespace CommitLog;

/// <content>The non-allocating pair: <c>TryConsume</c> takes what is fetched, <c>WaitToConsumeAsync</c> waits for more.</content>
internal sealed partial class Consumer<TKey, TValue>
{
    public bool TryConsume(out ConsumedRecord<TKey, TValue> record)
    {
        if (_subscribed && _membership is { } membership)
        {
            Wait(membership.PollAsync(this, CancellationToken.None));
        }

        lock (_gate)
        {
            PartitionFetcher? fetcher = NextLocked(out ReadStep step, out Record stored);
            record = fetcher is null ? default
                : step == ReadStep.Record ? Decode(fetcher, stored)
                : new ConsumedRecord<TKey, TValue>(fetcher.TopicPartition, fetcher.Position, default, default, null, Timestamp.NotAvailable, null, isPartitionEof: true);
            return fetcher is not null;
        }
    }

    public async ValueTask<bool> WaitToConsumeAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (timeout < TimeSpan.Zero && timeout != Infinite)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be zero or more (or Timeout.InfiniteTimeSpan).");
        }

        long start = _time.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Task arrived = _signal.WaitTask();
            if (HasFetched())
            {
                return true;
            }

            TimeSpan remaining = timeout == Infinite ? Infinite : timeout - _time.GetElapsedTime(start);
            if (timeout != Infinite && remaining <= TimeSpan.Zero)
            {
                return false;
            }

            try
            {
                await arrived.WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return HasFetched();
            }
        }
    }

    /// <summary>Whether any unpaused partition has something fetched (a record may still turn out to be below the position).</summary>
    private bool HasFetched()
    {
        lock (_gate)
        {
            ThrowIfClosed();
            foreach (PartitionFetcher fetcher in _order)
            {
                if (!fetcher.Paused && fetcher.HasFetched)
                {
                    return true;
                }
            }

            return false;
        }
    }
}

using CommitLog.Storage;

namespace CommitLog;

/// <summary>
/// The bytes all of a consumer's partitions may hold prefetched (<c>fetch.max.bytes</c>): a fetcher reserves before it
/// reads and the consumer releases when it has returned a fetched chunk's records. A reservation larger than the whole
/// budget is granted when nothing else is held, so a single oversized batch still makes progress.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class FetchBudget(long capacity)
{
    private readonly long _capacity = capacity;
    private readonly Lock _sync = new();
    private readonly DataSignal _freed = new();
    private long _available = capacity;

    /// <summary>Gets the bytes currently reserved or held.</summary>
    public long InUse
    {
        get
        {
            lock (_sync)
            {
                return _capacity - _available;
            }
        }
    }

    public async ValueTask AcquireAsync(int bytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task freed = _freed.WaitTask();
            lock (_sync)
            {
                if (_available >= bytes || _available == _capacity)
                {
                    _available -= bytes;
                    return;
                }
            }

            await freed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Adjusts a reservation to what a read really returned (a whole batch may exceed the reservation).</summary>
    public void Adjust(int reserved, int used)
    {
        if (used > reserved)
        {
            lock (_sync)
            {
                _available -= used - reserved;
            }
        }
        else if (used < reserved)
        {
            Release(reserved - used);
        }
    }

    public void Release(long bytes)
    {
        if (bytes == 0)
        {
            return;
        }

        lock (_sync)
        {
            _available += bytes;
        }

        _freed.Notify();
    }
}

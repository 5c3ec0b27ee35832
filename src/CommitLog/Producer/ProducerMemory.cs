namespace CommitLog;

/// <summary>
/// Bounds the bytes of records queued but not yet appended (<c>buffer.memory</c>). Waiters are served first come,
/// first served, so a large record is not starved by small ones.
/// </summary>
internal sealed class ProducerMemory(long limit, TimeProvider timeProvider)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private long _used;

    /// <summary>Gets the bytes in use.</summary>
    public long Used => Volatile.Read(ref _used);

    /// <summary>Gets the limit in bytes.</summary>
    public long Limit => limit;

    /// <summary>Takes <paramref name="bytes"/> if they are free and nobody waits.</summary>
    public bool TryAcquire(int bytes)
    {
        lock (_gate)
        {
            if (_waiters.Count == 0 && _used + bytes <= limit)
            {
                _used += bytes;
                return true;
            }

            return false;
        }
    }

    /// <summary>Waits up to <paramref name="maxBlock"/> for <paramref name="bytes"/>; false when they did not become free.</summary>
    public async ValueTask<bool> AcquireAsync(int bytes, TimeSpan maxBlock, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(bytes);
        LinkedListNode<Waiter> node;
        lock (_gate)
        {
            if (_waiters.Count == 0 && _used + bytes <= limit)
            {
                _used += bytes;
                return true;
            }

            node = _waiters.AddLast(waiter);
        }

        try
        {
            await waiter.Granted.Task.WaitAsync(maxBlock, timeProvider, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            lock (_gate)
            {
                if (waiter.Granted.Task.IsCompletedSuccessfully)
                {
                    return true; // granted just as the wait ended: the bytes are ours
                }

                _waiters.Remove(node);
                GrantLocked(); // the next waiter may fit now
            }

            if (e is OperationCanceledException)
            {
                throw;
            }

            return false;
        }
    }

    /// <summary>Returns bytes and wakes the waiters that fit.</summary>
    public void Release(long bytes)
    {
        if (bytes == 0)
        {
            return;
        }

        lock (_gate)
        {
            _used -= bytes;
            GrantLocked();
        }
    }

    private void GrantLocked()
    {
        while (_waiters.First is { } first && _used + first.Value.Bytes <= limit)
        {
            _waiters.RemoveFirst();
            _used += first.Value.Bytes;
            first.Value.Granted.TrySetResult();
        }
    }

    private sealed class Waiter(int bytes)
    {
        public int Bytes { get; } = bytes;

        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

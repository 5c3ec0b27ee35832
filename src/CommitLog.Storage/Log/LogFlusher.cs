namespace CommitLog.Storage;

/// <summary>
/// The flush loop of one log and its group commit. Appends that must be flushed before they are acknowledged call
/// <see cref="WaitAsync"/>; all waiters that arrive while a flush is running form the next group, which the loop
/// flushes with one fdatasync and completes together. Background flushes (roll, <c>flush.messages</c>,
/// <c>flush.ms</c>) call <see cref="Request"/>.
/// </summary>
/// <remarks>
/// A failed flush is final: the failure is kept, every current and later waiter gets it, and no later flush is
/// attempted (a retried fsync can succeed after the kernel dropped the dirty pages, so it proves nothing).
/// </remarks>
internal sealed class LogFlusher
{
    private readonly Action _flush;
    private readonly Func<Exception, Exception> _onFailure;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _signal = new(0);
    private TaskCompletionSource? _group;
    private bool _signaled;
    private bool _stopping;
    private int _groupSize;
    private int _lastGroupSize;
    private Exception? _failure;
    private long _flushed;
    private Task _loop = Task.CompletedTask;

    /// <param name="flush">Flushes everything written so far and calls <see cref="Advance"/>; throws on failure.</param>
    /// <param name="onFailure">Called once with the first failure (the log fail-stops); returns the exception that
    /// every current and later waiter gets.</param>
    public LogFlusher(Action flush, Func<Exception, Exception> onFailure)
    {
        _flush = flush;
        _onFailure = onFailure;
    }

    /// <summary>Gets the offset below which every record is flushed.</summary>
    public long Flushed => Volatile.Read(ref _flushed);

    /// <summary>Records that data below <paramref name="offset"/> is flushed. The log calls it under its append lock.</summary>
    public void Advance(long offset)
    {
        if (offset > Volatile.Read(ref _flushed))
        {
            Volatile.Write(ref _flushed, offset);
        }
    }

    /// <summary>Lowers the flushed mark after the log was truncated below it. Called under the log's append lock.</summary>
    public void Lower(long offset)
    {
        if (offset < Volatile.Read(ref _flushed))
        {
            Volatile.Write(ref _flushed, offset);
        }
    }

    public void Start(long flushed)
    {
        _flushed = flushed;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Completes once every record below <paramref name="offset"/> is flushed.</summary>
    public ValueTask WaitAsync(long offset, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _flushed) >= offset)
        {
            return default;
        }

        Task task;
        lock (_lock)
        {
            if (_failure is not null)
            {
                return ValueTask.FromException(_failure);
            }

            if (_stopping)
            {
                return ValueTask.FromException(new ObjectDisposedException(nameof(PartitionLog)));
            }

            _group ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _groupSize++;
            task = _group.Task;
            SignalLocked();
        }

        return cancellationToken.CanBeCanceled ? new ValueTask(task.WaitAsync(cancellationToken)) : new ValueTask(task);
    }

    /// <summary>Asks for a background flush without waiting for it.</summary>
    public void Request()
    {
        lock (_lock)
        {
            SignalLocked();
        }
    }

    /// <summary>Runs a last flush for any waiters and stops the loop.</summary>
    public async Task StopAsync()
    {
        lock (_lock)
        {
            _stopping = true;
            SignalLocked(force: true);
        }

        await _loop.ConfigureAwait(false);
    }

    private void SignalLocked(bool force = false)
    {
        if (!_signaled || force)
        {
            _signaled = true;
            _signal.Release();
        }
    }

    /// <summary>
    /// Lets the appenders that the last flush released append again before the next flush starts, so a group is not
    /// cut short by the first of them to return. While the waiting group is smaller than the last one and still
    /// growing, the loop steps to the back of the thread pool's global queue, behind the released appenders, at most
    /// a few times. It never spins and never waits on a timer: when nobody else is coming, it flushes at once.
    /// </summary>
    private async Task GatherGroupAsync()
    {
        for (var round = 0; round < 4; round++)
        {
            int before;
            lock (_lock)
            {
                before = _groupSize;
                if (_stopping || before == 0 || before >= _lastGroupSize)
                {
                    return;
                }
            }

            await Task.Factory.StartNew(static () => { }, CancellationToken.None, TaskCreationOptions.PreferFairness, TaskScheduler.Default)
                .ConfigureAwait(false);
            lock (_lock)
            {
                if (_groupSize == before)
                {
                    return;
                }
            }
        }
    }

    private async Task LoopAsync()
    {
        while (true)
        {
            await _signal.WaitAsync().ConfigureAwait(false);
            await GatherGroupAsync().ConfigureAwait(false);
            TaskCompletionSource? group;
            bool stopping;
            lock (_lock)
            {
                group = _group;
                _group = null;
                _lastGroupSize = _groupSize;
                _groupSize = 0;
                _signaled = false;
                stopping = _stopping;
            }

            if (_failure is null)
            {
                try
                {
                    _flush();
                }
#pragma warning disable CA1031 // The loop boundary: a failure is parked and handed to every waiter.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    var failure = _onFailure(e);
                    lock (_lock)
                    {
                        _failure = failure;
                    }
                }
            }

            if (_failure is not null)
            {
                group?.TrySetException(_failure);
            }
            else
            {
                group?.TrySetResult();
            }

            if (stopping)
            {
                lock (_lock)
                {
                    _group?.TrySetException(_failure ?? new ObjectDisposedException(nameof(PartitionLog)));
                    _group = null;
                }

                return;
            }
        }
    }
}

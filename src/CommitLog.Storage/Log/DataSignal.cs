namespace CommitLog.Storage;

/// <summary>
/// Wakes readers waiting for new data. Costs the appender one volatile read when nobody waits; a waiter takes the
/// task before re-checking the log end, so an append between the check and the wait is never missed.
/// </summary>
internal sealed class DataSignal
{
    private TaskCompletionSource? _waiters;

    public Task WaitTask()
    {
        var current = Volatile.Read(ref _waiters);
        if (current is null)
        {
            var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            current = Interlocked.CompareExchange(ref _waiters, created, null) ?? created;
        }

        return current.Task;
    }

    public void Notify()
    {
        if (Volatile.Read(ref _waiters) is not null)
        {
            Interlocked.Exchange(ref _waiters, null)?.TrySetResult();
        }
    }
}

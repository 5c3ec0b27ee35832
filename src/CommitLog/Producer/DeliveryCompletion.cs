using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;

namespace CommitLog;

/// <summary>
/// A pooled completion for an awaited send. Two parties hold it: the awaiter (until it read the result) and the batch
/// that reports the record (until it reported). It goes back to the pool when both let go, so a report that arrives
/// after the awaiter gave up (its token was canceled) never lands in a completion already reused by another record.
/// </summary>
internal sealed class DeliveryCompletion<TKey, TValue> : IValueTaskSource<DeliveryResult<TKey, TValue>>
{
    private const int MaxPooled = 1024;
    private static readonly ConcurrentQueue<DeliveryCompletion<TKey, TValue>> Pool = new();
    private static readonly Action<object?> CancelCallback = static state => ((DeliveryCompletion<TKey, TValue>)state!).TryCancel();
    private ManualResetValueTaskSourceCore<DeliveryResult<TKey, TValue>> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _registration;
    private CancellationToken _token;
    private int _completed;
    private int _holders;

    public ValueTask<DeliveryResult<TKey, TValue>> Task => new(this, _core.Version);

    /// <summary>Rents a completion; canceling <paramref name="cancellationToken"/> ends the wait (not the send).</summary>
    public static DeliveryCompletion<TKey, TValue> Rent(CancellationToken cancellationToken)
    {
        DeliveryCompletion<TKey, TValue> completion = Pool.TryDequeue(out var pooled) ? pooled : new();
        completion._holders = 2;
        completion._completed = 0;
        if (cancellationToken.CanBeCanceled)
        {
            completion._token = cancellationToken;
            completion._registration = cancellationToken.UnsafeRegister(CancelCallback, completion);
        }

        return completion;
    }

    /// <summary>Reports the record as delivered (ignored when the wait was canceled) and lets go of the completion.</summary>
    public void SetResult(DeliveryResult<TKey, TValue> result)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _core.SetResult(result);
        }

        Release();
    }

    /// <summary>Reports the record as failed (ignored when the wait was canceled) and lets go of the completion.</summary>
    public void SetException(Exception error)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _core.SetException(error);
        }

        Release();
    }

    /// <summary>Drops a completion whose record was never queued (nobody will read it): not pooled.</summary>
    public void Discard() => _registration.Dispose();

    public DeliveryResult<TKey, TValue> GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Release();
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);

    private void TryCancel()
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _core.SetException(new OperationCanceledException(
                "The wait for the delivery was canceled; the record was already queued and may still be delivered.", _token));
        }
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _holders) != 0)
        {
            return;
        }

        _registration.Dispose(); // waits for a cancel callback still running, so it cannot touch the next use
        _registration = default;
        _token = default;
        _core.Reset();
        if (Pool.Count < MaxPooled)
        {
            Pool.Enqueue(this);
        }
    }
}

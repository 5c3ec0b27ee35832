using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;

namespace CommitLog;

/// <summary>A pooled completion for an awaited send: returned to the pool once its result was read.</summary>
internal sealed class DeliveryCompletion<TKey, TValue> : IValueTaskSource<DeliveryResult<TKey, TValue>>
{
    private const int MaxPooled = 1024;
    private static readonly ConcurrentQueue<DeliveryCompletion<TKey, TValue>> Pool = new();
    private ManualResetValueTaskSourceCore<DeliveryResult<TKey, TValue>> _core = new() { RunContinuationsAsynchronously = true };

    public ValueTask<DeliveryResult<TKey, TValue>> Task => new(this, _core.Version);

    public static DeliveryCompletion<TKey, TValue> Rent() => Pool.TryDequeue(out var completion) ? completion : new();

    public void SetResult(DeliveryResult<TKey, TValue> result) => _core.SetResult(result);

    public void SetException(Exception error) => _core.SetException(error);

    public DeliveryResult<TKey, TValue> GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
            if (Pool.Count < MaxPooled)
            {
                Pool.Enqueue(this);
            }
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);
}

namespace CommitLog.Replication.Tests.Simulation;

/// <summary>Virtual time and a queue of events, ordered by time and then by the order they were scheduled (so ties replay identically).</summary>
internal sealed class SimScheduler
{
    private readonly PriorityQueue<Action, (long Time, long Sequence)> _queue = new();
    private long _sequence;

    public long Now { get; private set; }

    public long Events { get; private set; }

    public void At(long time, Action action) => _queue.Enqueue(action, (Math.Max(time, Now), _sequence++));

    public void After(long delay, Action action) => At(Now + delay, action);

    /// <summary>Runs every event due up to <paramref name="end"/>, or until <paramref name="stop"/> says so after an event.</summary>
    public void RunUntil(long end, Func<bool>? stop = null)
    {
        while (_queue.TryPeek(out _, out var due) && due.Time <= end)
        {
            var action = _queue.Dequeue();
            Now = due.Time;
            Events++;
            action();
            if (stop?.Invoke() == true)
            {
                return;
            }
        }

        Now = Math.Max(Now, end);
    }
}

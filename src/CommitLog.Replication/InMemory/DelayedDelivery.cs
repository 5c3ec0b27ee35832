using CommitLog.Replication.Transport;

namespace CommitLog.Replication.InMemory;

/// <summary>One frame waiting on the network's clock before it arrives.</summary>
internal sealed class DelayedDelivery
{
    private readonly InMemoryNetwork _network;
    private readonly InMemoryConnection _target;
    private readonly ReplicationFrame _frame;
    private ITimer? _timer;

    private DelayedDelivery(InMemoryNetwork network, InMemoryConnection target, ReplicationFrame frame)
    {
        _network = network;
        _target = target;
        _frame = frame;
    }

    public static void Start(InMemoryNetwork network, InMemoryConnection target, ReplicationFrame frame, TimeSpan delay)
    {
        var delivery = new DelayedDelivery(network, target, frame);
        lock (delivery)
        {
            delivery._timer = network.TimeProvider.CreateTimer(
                static state => ((DelayedDelivery)state!).Fire(), delivery, delay, Timeout.InfiniteTimeSpan);
        }
    }

    private void Fire()
    {
        lock (this)
        {
            _timer?.Dispose();
        }

        _network.Arrive(_target, _frame);
    }
}

using System.Diagnostics.Metrics;

namespace CommitLog.Throughput.Contenders;

/// <summary>
/// Counts our log's flushes through its <c>commitlog.flush.duration</c> histogram (meter <c>CommitLog.Storage</c>),
/// so that group commit can report how many records shared one fdatasync.
/// </summary>
internal sealed class FlushCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _count;
    private double _seconds;

    public FlushCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "CommitLog.Storage" && instrument.Name == "commitlog.flush.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, seconds, _, _) =>
        {
            Interlocked.Increment(ref _count);
            lock (_listener)
            {
                _seconds += seconds;
            }
        });
        _listener.Start();
    }

    public (long Count, double Seconds) Read()
    {
        lock (_listener)
        {
            return (Interlocked.Read(ref _count), _seconds);
        }
    }

    public void Dispose() => _listener.Dispose();
}

using System.Diagnostics.Metrics;

namespace CommitLog.Replication.Tests.Control;

/// <summary>Reads an observable gauge of one meter instance.</summary>
internal static class GaugeProbe
{
    public static int Read(Meter meter, string name)
    {
        int value = -1;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, measurement, _, _) => value = measurement);
        listener.Start();
        listener.RecordObservableInstruments();
        return value;
    }
}

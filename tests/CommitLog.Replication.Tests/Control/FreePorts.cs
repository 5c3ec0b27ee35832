using System.Net;
using System.Net.Sockets;

namespace CommitLog.Replication.Tests.Control;

internal static class FreePorts
{
    /// <summary>Ports the OS handed out for an instant; all are taken at once so they are distinct.</summary>
    public static int[] Take(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}

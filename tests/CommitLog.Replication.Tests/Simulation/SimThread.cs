namespace CommitLog.Replication.Tests.Simulation;

/// <summary>
/// Runs a simulation on a thread of its own. The logs' flush-before-ack appends wait for the log's flush loop on the
/// thread pool; a simulation blocking a pool thread while other tests keep the pool busy would wait for thread
/// injection (seconds). The results do not depend on it: the simulation waits for every flush it starts.
/// </summary>
internal static class SimThread
{
    public static void Run(Action action)
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), io);
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
#pragma warning disable CA1031 // Handed to the test thread.
            catch (Exception e)
#pragma warning restore CA1031
            {
                error = e;
            }
        }, 16 * 1024 * 1024) { IsBackground = true, Name = "simulation" };
        thread.Start();
        thread.Join();
        if (error is not null)
        {
            throw new AggregateException(error);
        }
    }
}

using Microsoft.Extensions.Logging;

namespace CommitLog.Throughput.Workloads;

/// <summary>
/// Prints the cluster's log lines (information and above) with a millisecond timestamp to stderr, when
/// <c>COMMITLOG_BENCH_LOG=1</c>: a timeline for reading where a slow failover spent its time.
/// </summary>
internal sealed class TimestampedConsoleLogs : ILoggerFactory
{
    public static ILoggerFactory? FromEnvironment()
        => Environment.GetEnvironmentVariable("COMMITLOG_BENCH_LOG") == "1" ? new TimestampedConsoleLogs() : null;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff}] {category}: {formatter(state, exception)}");
            }
        }
    }
}

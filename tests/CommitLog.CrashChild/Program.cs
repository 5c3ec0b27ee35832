using System.Globalization;
using System.Text;
using CommitLog.CrashChild;
using CommitLog.Storage;

// The crash child. Protocol on stdout, one line per event, each written with a single write() so a kill never
// leaves half a line that looks whole (the parent ignores a last line without its newline):
//   OPEN <logStart> <logEnd> <segments>                  the log opened (recovery done)
//   ACK <first> <last> <durability> <writer> <seq>        an append completed; records seq.. of writer at first..last
//   FAIL <writer> <seq> <exception type> <failStopped> <message>   an append threw; that writer stops
//   DONE <recoveryPoint> <logEnd>                          appends= reached or every writer failed; log closed cleanly
var settings = ChildSettings.Parse(args);
var output = new ChildOutput(Console.OpenStandardOutput());
PartitionLog log;
try
{
    log = PartitionLog.Open(settings.Directory, settings.ToLogOptions());
}
catch (Exception e)
{
    output.Line($"OPENFAIL {e.GetType().Name} {OneLine(e.ToString())}");
    return 2;
}

output.Line($"OPEN {log.LogStartOffset} {log.LogEndOffset} {log.SegmentCount}");
using var stop = new CancellationTokenSource();
var remaining = settings.Appends > 0 ? settings.Appends : long.MaxValue;
var writers = Enumerable.Range(0, settings.Writers).Select(i => Task.Run(() => WriteAsync(settings.Run * 16 + i, i))).ToArray();
var churn = settings.Churn ? Task.Run(ChurnAsync) : Task.CompletedTask;
await Task.WhenAll(writers);
await stop.CancelAsync();
await churn;
await log.DisposeAsync();
output.Line($"DONE {log.RecoveryPoint} {log.LogEndOffset}");
return 0;

async Task WriteAsync(int writer, int index)
{
    var random = new Random(HashCode.Combine(settings.Seed, index));
    using var builder = new RecordBatchBuilder(settings.Compression);
    long seq = 0;
    while (Interlocked.Decrement(ref remaining) >= 0)
    {
        var count = random.Next(1, 9);
        builder.Reset();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < count; i++)
        {
            builder.Append(now, null, CrashRecord.Encode(writer, seq + i));
        }

        try
        {
            var result = await log.AppendAsync(builder.Build());
            output.Line($"ACK {result.FirstOffset} {result.LastOffset} {result.Durability} {writer} {seq}");
        }
        catch (Exception e)
        {
            var failStopped = e is LogStorageException { IsFailStopped: true } ? 1 : 0;
            output.Line($"FAIL {writer} {seq} {e.GetType().Name} {failStopped} {OneLine(e.Message)}");
            return;
        }

        seq += count;
        if (random.Next(100) < settings.PausePercent)
        {
            await Task.Delay(1);
        }
    }
}

async Task ChurnAsync()
{
    var random = new Random(settings.Seed ^ 0x5EED);
    while (!stop.IsCancellationRequested)
    {
        try
        {
            await Task.Delay(random.Next(2, 30), stop.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            if (random.Next(3) == 0 && settings.RetentionBytes >= 0)
            {
                log.EnforceRetention();
            }
            else
            {
                log.Roll();
            }
        }
        catch (Exception e) when (e is CommitLogException or ObjectDisposedException or IOException)
        {
            output.Line($"CHURNFAIL {e.GetType().Name} {OneLine(e.Message)}");
            return;
        }
    }
}

static string OneLine(string text) => text.ReplaceLineEndings(" | ");

/// <summary>Writes whole lines to stdout, one write() per line.</summary>
internal sealed class ChildOutput(Stream stdout)
{
    private readonly Lock _lock = new();

    public void Line(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text + "\n");
        lock (_lock)
        {
            stdout.Write(bytes);
            stdout.Flush();
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"ChildOutput({stdout})");
}

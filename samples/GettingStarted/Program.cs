// GettingStarted: embed a durable, Kafka-format log in an app, append keyed events, read them back,
// then close and reopen the log (a "restart") and show that every acknowledged event survived.
//
//   dotnet run --project samples/GettingStarted            (data goes to ./data/getting-started)
//   dotnet run --project samples/GettingStarted -- <dir>   (or any directory you choose)
using System.Text;
using CommitLog.Storage;

var directory = Path.GetFullPath(args.Length > 0 ? args[0] : Path.Combine("data", "getting-started", "order-events-0"));
var options = new LogOptions
{
    // Flush before acknowledging, with group commit: an acknowledged event survives power loss.
    FlushPolicy = FlushPolicy.BeforeAck,
    SegmentBytes = 1 << 20,
    RetentionMs = TimeSpan.FromDays(7),
};

long firstNew;
await using (var log = PartitionLog.Open(directory, options))
{
    Console.WriteLine($"Opened {directory}: offsets {log.LogStartOffset}..{log.LogEndOffset} ({log.LogEndOffset - log.LogStartOffset} records from earlier runs)");
    firstNew = log.LogEndOffset;

    // Each batch is a Kafka RecordBatch v2, byte-identical to what a Kafka producer sends.
    using var batch = new RecordBatchBuilder(CompressionType.Lz4);
    var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    string[] users = ["alice", "bob", "carol"];
    for (var i = 0; i < 6; i++)
    {
        var user = users[i % users.Length];
        var json = $$"""{"user":"{{user}}","order":{{firstNew + i}},"amount":{{(i + 1) * 10}}}""";
        batch.Append(now, Encoding.UTF8.GetBytes(user), Encoding.UTF8.GetBytes(json), [new RecordHeader("source", "getting-started"u8.ToArray())]);
    }

    var result = await log.AppendAsync(batch.Build());
    Console.WriteLine($"Appended offsets {result.FirstOffset}..{result.LastOffset}, durability: {result.Durability}");
}

Console.WriteLine("Closed the log. Reopening it, as after a restart...");

await using (var log = PartitionLog.Open(directory, options))
{
    Console.WriteLine($"Reopened: offsets {log.LogStartOffset}..{log.LogEndOffset}; the records appended in this run:");
    var offset = firstNew;
    while (offset < log.HighWatermark)
    {
        using var read = log.Read(offset, maxBytes: 64 * 1024);
        foreach (var stored in RecordBatch.ReadAll(read.Records))
        {
            foreach (var record in stored.GetRecords())
            {
                if (record.Offset >= offset)
                {
                    var key = Encoding.UTF8.GetString(record.Key!.Value.Span);
                    var value = Encoding.UTF8.GetString(record.Value!.Value.Span);
                    Console.WriteLine($"  offset {record.Offset,4}  key {key,-6} {value}");
                }
            }
        }

        offset = read.NextOffset;
    }

    var survived = log.LogEndOffset - firstNew;
    Console.WriteLine(survived == 6
        ? "All 6 acknowledged records survived the restart."
        : $"Expected 6 records after the restart but found {survived}.");
    return survived == 6 ? 0 : 1;
}

namespace CommitLog.Storage.Tests.Compaction;

/// <summary>Readers and an appender keep working while the cleaner replaces segments under them.</summary>
public class CompactionConcurrencyTests
{
    [Fact]
    public async Task Compact_WhileReadersReadAndAppendsRoll_ReadersSeeOnlyWrittenRecordsInOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var c = new CompactedLog(o => new LogOptions
        {
            Storage = o.Storage, CleanupPolicy = LogCleanupPolicy.Compact, TimeProvider = o.TimeProvider, RetentionCheckInterval = null,
            SegmentBytes = 2048, IndexIntervalBytes = 64,
        });

        // Every record says which key it must carry: value "n" goes with key "k{n % 10}".
        var next = 0;
        async Task WriteAsync(int count)
        {
            for (var i = 0; i < count; i++, next++)
            {
                await c.Log.AppendAsync(CompactedLog.Batch([($"k{next % 10}", next.ToString(System.Globalization.CultureInfo.InvariantCulture))], 1), ct);
            }
        }

        await WriteAsync(200);
        using var stop = new CancellationTokenSource();
        var reads = 0;
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var records = CompactedLog.ReadAll(c.Log, 0);
                for (var i = 0; i < records.Count; i++)
                {
                    var r = records[i];
                    Assert.Equal($"k{int.Parse(r.Value!, System.Globalization.CultureInfo.InvariantCulture) % 10}", r.Key);
                    Assert.Equal(r.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Value);
                    Assert.True(i == 0 || records[i - 1].Offset < r.Offset);
                }

                Interlocked.Increment(ref reads);
            }
        }, ct)).ToList();

        for (var round = 0; round < 4; round++)
        {
            var writer = WriteAsync(100);
            await c.CompactAsync();
            await writer;
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.True(reads > 0);

        c.Log.Roll();
        await c.CompactAsync();
        var final = c.ReadAll();
        Assert.Equal(Enumerable.Range(next - 10, 10).Select(n => (long)n), final.Select(r => r.Offset));
        Assert.Equal(next, c.Log.LogEndOffset);
    }
}

using System.Diagnostics;
using System.Text;
using CommitLog.Storage.Tests.Reliability;

namespace CommitLog.Storage.Tests.Compaction;

/// <summary>
/// Opt-in measurement on real files: COMMITLOG_COMPACTION_RECORDS=1000000 (records of 100 B over 10 000 keys, 16 MiB
/// segments, batches of 100 records). Prints the cleaning time and the bytes before and after. Checks the result too.
/// </summary>
public class CompactionMeasurement(ITestOutputHelper output)
{
    [Fact]
    public async Task Compact_RealFiles_ReportsTimeAndSize()
    {
        var records = ReliabilityConfig.Int("COMMITLOG_COMPACTION_RECORDS", 0);
        if (records == 0)
        {
            Assert.Skip("Measurement: set COMMITLOG_COMPACTION_RECORDS to the number of records.");
        }

        var ct = TestContext.Current.CancellationToken;
        var directory = Path.Combine(Path.GetTempPath(), "commitlog-compaction-" + Guid.NewGuid().ToString("N"));
        try
        {
            const int keys = 10_000;
            var options = new LogOptions { CleanupPolicy = LogCleanupPolicy.Compact, SegmentBytes = 16 << 20, RetentionCheckInterval = null };
            await using var log = PartitionLog.Open(directory, options);
            var value = new byte[100 - 8];
            for (var i = 0; i < records; i += 100)
            {
                using var builder = new RecordBatchBuilder();
                for (var j = i; j < i + 100 && j < records; j++)
                {
                    builder.Append(1_700_000_000_000 + j, Encoding.UTF8.GetBytes($"key{j % keys:D5}"), value);
                }

                await log.AppendAsync(builder.Build(), ct);
            }

            log.Roll();
            await log.FlushAsync(ct); // the cleaner flushes first; keep the appends' fsync out of the figure
            var before = log.Size;
            var watch = Stopwatch.StartNew();
            var result = await log.CompactAsync(force: true, ct);
            watch.Stop();
            output.WriteLine(
                $"{records} records, {keys} keys: {result.SegmentsBefore} segments ({before / 1048576.0:0.0} MiB) -> {result.SegmentsAfter} " +
                $"({log.Size / 1048576.0:0.00} MiB) in {watch.Elapsed.TotalMilliseconds:0} ms " +
                $"({result.BytesBefore / 1048576.0 / watch.Elapsed.TotalSeconds:0} MiB/s, {records / watch.Elapsed.TotalSeconds / 1e6:0.00} M records/s), " +
                $"{result.RecordsRemoved} removed");
            Assert.Equal(records - keys, result.RecordsRemoved);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

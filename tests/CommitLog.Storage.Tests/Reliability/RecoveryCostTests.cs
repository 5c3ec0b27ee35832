using CommitLog.Storage.IO;
using CommitLog.Storage.Tests.Log;
using CommitLog.TestKit;

namespace CommitLog.Storage.Tests.Reliability;

/// <summary>R14: reopening after a crash reads an amount that depends on the unflushed data, not on the size of the log.</summary>
public class RecoveryCostTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <remarks>
    /// Measured (SimulatedStorage, 16 KiB segments, same 20-batch unflushed tail): 10 segments read 37,020 bytes of
    /// 159,665; 100 segments read 205,364 of 1,562,375. RecoverUnclean runs CheckFlushedSegment on every segment below
    /// the recovery point (index load plus a CRC scan from the last index entry), so the cost grows with the number of
    /// segments. Whether to keep that check (it catches damage in flushed tails) or make it lazy is the lead's call.
    /// </remarks>
    [Fact(Skip = "Known gap, reported to the lead: recovery checks the tail of every flushed segment, so its reads grow with the segment count (37 KB for 10 segments, 205 KB for 100).")]
    public async Task Reopen_AfterCrash_ReadsTheUnflushedTailNotTheWholeLog()
    {
        var small = await BytesReadByRecoveryAsync(segments: 10);
        var large = await BytesReadByRecoveryAsync(segments: 100);
        output.WriteLine($"bytes read by recovery: 10 segments {small.Read} of {small.Size}; 100 segments {large.Read} of {large.Size}");
        Assert.True(large.Size > 8 * small.Size, "the large log is not much larger");
        Assert.True(large.Read <= (small.Read * 2) + 64 * 1024,
            $"recovery of a 100-segment log read {large.Read} bytes, of a 10-segment log {small.Read}: it grows with the log, not the unflushed tail");
    }

    private static async Task<(long Read, long Size)> BytesReadByRecoveryAsync(int segments)
    {
        var disk = new SimulatedStorage();
        static LogOptions Options(ISegmentStorage storage) => new()
        {
            Storage = storage, SegmentBytes = 16 * 1024, RetentionMs = null, RetentionCheckInterval = null, CheckpointInterval = TimeSpan.FromTicks(1),
        };

        var log = PartitionLog.Open("/data/cost-0", Options(disk));
        var seq = 0L;
        while (log.SegmentCount < segments)
        {
            await log.AppendAsync(TestBatches.Make(4, seq, valueSize: 200), Ct);
            seq += 4;
        }

        await log.FlushAsync(Ct);
        log.Roll();
        await log.FlushAsync(Ct);
        for (var i = 0; i < 20; i++)
        {
            await log.AppendAsync(TestBatches.Make(4, seq, valueSize: 200), Ct); // the same unflushed tail in both logs
            seq += 4;
        }

        var size = log.Size;
        disk.Crash(PowerLossMode.ProcessCrash, 1);
        await log.DisposeAsync();
        var probe = new ProbeStorage(disk);
        await using var reopened = PartitionLog.Open("/data/cost-0", Options(probe));
        Assert.Equal(seq, reopened.LogEndOffset);
        return (probe.BytesRead, size);
    }
}

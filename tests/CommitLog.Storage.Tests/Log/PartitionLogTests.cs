using CommitLog.TestKit;

namespace CommitLog.Storage.Tests.Log;

public class PartitionLogTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static LogOptions Options(SimulatedStorage storage, Func<LogOptions, LogOptions>? tweak = null)
    {
        var options = new LogOptions { Storage = storage, RetentionCheckInterval = null, SegmentBytes = 4096 };
        return tweak?.Invoke(options) ?? options;
    }

    [Fact]
    public async Task Append_ThenRead_ReturnsRecordsAtDenseOffsets()
    {
        var storage = new SimulatedStorage();
        await using var log = PartitionLog.Open("/data/t-0", Options(storage));
        var first = await log.AppendAsync(TestBatches.Make(3, 0), Ct);
        var second = await log.AppendAsync(TestBatches.Make(2, 3), Ct);

        Assert.Equal((0, 2), (first.FirstOffset, first.LastOffset));
        Assert.Equal((3, 4), (second.FirstOffset, second.LastOffset));
        Assert.Equal(Durability.Written, first.Durability);
        Assert.Equal(5, log.LogEndOffset);
        Assert.Equal([(0, 0), (1, 1), (2, 2), (3, 3), (4, 4)], TestBatches.ReadAll(log));
    }

    [Fact]
    public async Task Append_ManyBatches_RollsSegmentsAndReadsAcrossThem()
    {
        var storage = new SimulatedStorage();
        await using var log = PartitionLog.Open("/data/t-0", Options(storage));
        for (var i = 0; i < 100; i++)
        {
            await log.AppendAsync(TestBatches.Make(5, i * 5, valueSize: 64), Ct);
        }

        Assert.True(log.SegmentCount > 5);
        var all = TestBatches.ReadAll(log);
        Assert.Equal(500, all.Count);
        Assert.All(all, r => Assert.Equal(r.Offset, r.Seq));
        Assert.Equal(250, TestBatches.ReadAll(log, 250)[0].Offset);
    }

    [Fact]
    public async Task Reopen_AfterCleanClose_KeepsEverything()
    {
        var storage = new SimulatedStorage();
        await using (var log = PartitionLog.Open("/data/t-0", Options(storage)))
        {
            for (var i = 0; i < 50; i++)
            {
                await log.AppendAsync(TestBatches.Make(4, i * 4, valueSize: 100), Ct);
            }
        }

        await using var reopened = PartitionLog.Open("/data/t-0", Options(storage));
        Assert.Equal(200, reopened.LogEndOffset);
        Assert.Equal(200, reopened.RecoveryPoint);
        var all = TestBatches.ReadAll(reopened);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => ((long)i, (long)i)), all);
        var next = await reopened.AppendAsync(TestBatches.Make(1, 200), Ct);
        Assert.Equal(200, next.FirstOffset);
    }

    [Fact]
    public async Task BeforeAck_Append_CompletesFlushed_AndSurvivesPowerLoss()
    {
        var storage = new SimulatedStorage();
        var log = PartitionLog.Open("/data/t-0", Options(storage, o => new LogOptions { Storage = storage, RetentionCheckInterval = null, SegmentBytes = 4096, FlushPolicy = FlushPolicy.BeforeAck }));
        var tasks = Enumerable.Range(0, 40).Select(i => log.AppendAsync(TestBatches.Make(2, i * 2), Ct).AsTask()).ToArray();
        var results = await Task.WhenAll(tasks);
        Assert.All(results, r => Assert.Equal(Durability.Flushed, r.Durability));
        storage.Crash(PowerLossMode.DropUnflushed, seed: 1);

        await using var reopened = PartitionLog.Open("/data/t-0", new LogOptions { Storage = storage, RetentionCheckInterval = null });
        var seqs = TestBatches.ReadAll(reopened);
        Assert.Equal(80, seqs.Count);
        foreach (var r in results)
        {
            for (var o = r.FirstOffset; o <= r.LastOffset; o++)
            {
                Assert.Contains(seqs, s => s.Offset == o);
            }
        }
    }

    [Fact]
    public async Task ProcessCrash_WrittenRecordsSurvive()
    {
        var storage = new SimulatedStorage();
        var log = PartitionLog.Open("/data/t-0", Options(storage));
        for (var i = 0; i < 30; i++)
        {
            await log.AppendAsync(TestBatches.Make(3, i * 3, valueSize: 50), Ct);
        }

        storage.Crash(PowerLossMode.ProcessCrash, seed: 1);
        await using var reopened = PartitionLog.Open("/data/t-0", Options(storage));
        Assert.Equal(90, reopened.LogEndOffset);
        Assert.Equal(90, TestBatches.ReadAll(reopened).Count);
    }

    [Fact]
    public async Task ReadAsync_WaitsForAppend_AndWakesOnIt()
    {
        var storage = new SimulatedStorage();
        await using var log = PartitionLog.Open("/data/t-0", Options(storage));
        var pending = log.ReadAsync(0, 1024, 1, TimeSpan.FromSeconds(30), Ct);
        Assert.False(pending.IsCompleted);
        await log.AppendAsync(TestBatches.Make(1, 0), Ct);
        using var result = await pending;
        Assert.False(result.IsEmpty);
        Assert.Equal(1, result.NextOffset);
    }

    [Fact]
    public async Task Retention_BySize_DeletesOldestSegmentsAndMovesLogStart()
    {
        var storage = new SimulatedStorage();
        await using var log = PartitionLog.Open("/data/t-0", new LogOptions { Storage = storage, RetentionCheckInterval = null, SegmentBytes = 4096, RetentionBytes = 8192 });
        for (var i = 0; i < 100; i++)
        {
            await log.AppendAsync(TestBatches.Make(5, i * 5, valueSize: 64), Ct);
        }

        var before = log.SegmentCount;
        var deleted = log.EnforceRetention();
        Assert.True(deleted > 0);
        Assert.Equal(before - deleted, log.SegmentCount);
        Assert.True(log.Size - log.SegmentBaseOffsets.Count * 0 <= 8192 + 4096);
        Assert.Equal(log.SegmentBaseOffsets[0], log.LogStartOffset);
        Assert.Throws<OffsetOutOfRangeException>(() => log.Read(0, 100));
        Assert.Equal(500 - log.LogStartOffset, TestBatches.ReadAll(log).Count);
    }

    [Fact]
    public async Task Retention_DeletesSegmentFiles_SoDiskSpaceIsFreed()
    {
        var storage = new SimulatedStorage();
        await using var log = PartitionLog.Open("/data/t-0", new LogOptions { Storage = storage, RetentionCheckInterval = null, SegmentBytes = 4096, RetentionBytes = 8192 });
        for (var i = 0; i < 100; i++)
        {
            await log.AppendAsync(TestBatches.Make(5, i * 5, valueSize: 64), Ct);
        }

        var before = storage.UsedBytes;
        var firstKept = log.SegmentBaseOffsets[0];
        Assert.True(log.EnforceRetention() > 0);
        var kept = log.SegmentBaseOffsets;

        // A deleted segment's files go when its last user (a reader, or a background flush) releases it.
        var files = storage.ListFiles("/data/t-0");
        for (var i = 0; i < 500 && files.Any(f => f.EndsWith(".deleted", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(10, Ct);
            files = storage.ListFiles("/data/t-0");
        }

        Assert.False(files.Any(f => f.EndsWith(".deleted", StringComparison.Ordinal)), string.Join(", ", files));
        Assert.All(files.Where(f => f.EndsWith(".log", StringComparison.Ordinal)),
            f => Assert.Contains(long.Parse(f[..20], System.Globalization.CultureInfo.InvariantCulture), kept));
        Assert.True(storage.UsedBytes < before - 4096, $"used {storage.UsedBytes} bytes after retention, {before} before");
        Assert.True(kept[0] > firstKept);
    }

    [Fact]
    public async Task TruncateTo_RemovesTail_AndAppendsContinueThere()
    {
        var storage = new SimulatedStorage();
        await using var log = PartitionLog.Open("/data/t-0", Options(storage));
        for (var i = 0; i < 40; i++)
        {
            await log.AppendAsync(TestBatches.Make(5, i * 5, valueSize: 64), Ct);
        }

        log.TruncateTo(103);
        Assert.Equal(100, log.LogEndOffset);
        var next = await log.AppendAsync(TestBatches.Make(1, 1000), Ct);
        Assert.Equal(100, next.FirstOffset);
        var all = TestBatches.ReadAll(log);
        Assert.Equal(101, all.Count);
        Assert.Equal(1000, all[^1].Seq);
    }

    [Fact]
    public async Task OffsetForTimestamp_FindsFirstBatchAtOrAfter()
    {
        var storage = new SimulatedStorage();
        await using var log = PartitionLog.Open("/data/t-0", Options(storage));
        for (var i = 0; i < 50; i++)
        {
            await log.AppendAsync(TestBatches.Make(2, i * 2, valueSize: 64, timestamp: 1000 + i * 10), Ct);
        }

        Assert.Equal(0, log.OffsetForTimestamp(0));
        Assert.Equal(20, log.OffsetForTimestamp(1100));
        Assert.Equal(21, log.OffsetForTimestamp(1101));
        Assert.Null(log.OffsetForTimestamp(100_000));
    }

    [Fact]
    public void Open_SecondInstanceOnSameDirectory_IsRefused()
    {
        var storage = new SimulatedStorage();
        using var log = PartitionLog.Open("/data/t-0", Options(storage));
        Assert.Throws<LogDirectoryLockedException>(() => PartitionLog.Open("/data/t-0", Options(storage)));
    }
}

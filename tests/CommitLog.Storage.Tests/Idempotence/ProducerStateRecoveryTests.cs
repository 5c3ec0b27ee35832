using System.Buffers.Binary;
using CommitLog.TestKit;
using static CommitLog.Storage.Tests.Idempotence.ProducerBatches;

namespace CommitLog.Storage.Tests.Idempotence;

/// <summary>R9: the producer state survives clean reopen, crashes, truncation, retention and damaged snapshots.</summary>
public class ProducerStateRecoveryTests
{
    private const string Dir = "/data/idem-0";
    private const long Pid = 77;
    private const int Records = 3;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<PowerLossMode> CrashModes => new(Enum.GetValues<PowerLossMode>());

    [Fact]
    public async Task Reopen_AfterCleanClose_DeduplicatesTheLastFiveBatches()
    {
        var (storage, time) = (new SimulatedStorage(), Clock());
        List<AppendResult> results;
        await using (var log = PartitionLog.Open(Dir, Options(storage, time, segmentBytes: 1024)))
        {
            results = await AppendBatchesAsync(log, 0, 20);
            Assert.True(log.SegmentCount > 2);
        }

        Assert.True(storage.FileExists($"{Dir}/{results[^1].LastOffset + 1:D20}.snapshot"), "clean close wrote no snapshot at the log end");
        await using var reopened = PartitionLog.Open(Dir, Options(storage, time, segmentBytes: 1024));
        await AssertStateAsync(reopened, results);
    }

    [Theory]
    [MemberData(nameof(CrashModes))]
    public async Task Reopen_AfterCrash_DeduplicatesEverySurvivingBatchAndAcceptsTheNext(PowerLossMode mode)
    {
        for (var seed = 0; seed < 8; seed++)
        {
            var (storage, time) = (new SimulatedStorage(seed), Clock());
            var log = PartitionLog.Open(Dir, Options(storage, time, segmentBytes: 1024));
            var results = await AppendBatchesAsync(log, 0, 12);
            await log.FlushAsync(Ct);
            results.AddRange(await AppendBatchesAsync(log, 12, 10 + seed));
            storage.Crash(mode, seed);
            await log.DisposeAsync();

            await using var reopened = PartitionLog.Open(Dir, Options(storage, time, segmentBytes: 1024));
            var survived = results.TakeWhile(r => r.LastOffset < reopened.LogEndOffset).ToList();
            Assert.True(survived.Count >= 12, $"{mode} seed {seed}: flushed batches were lost");
            Assert.Equal(reopened.LogEndOffset, survived[^1].LastOffset + 1);
            await AssertStateAsync(reopened, survived, $"{mode} seed {seed}");
        }
    }

    [Fact]
    public async Task TruncateTo_RollsTheStateBack_AndReopenAgrees()
    {
        var (storage, time) = (new SimulatedStorage(), Clock());
        List<AppendResult> results;
        await using (var log = PartitionLog.Open(Dir, Options(storage, time, segmentBytes: 1024)))
        {
            results = await AppendBatchesAsync(log, 0, 20);
            log.TruncateTo(results[9].FirstOffset + 1);

            Assert.Equal(results[9].FirstOffset, log.LogEndOffset);
            Assert.DoesNotContain(SnapshotOffsets(storage), o => o > log.LogEndOffset);
            await AssertStateAsync(log, results[..9]);
            results = [.. results[..9], await log.AppendAsync(Make(Pid, 0, 9 * Records, Records), Ct)];
        }

        await using var reopened = PartitionLog.Open(Dir, Options(storage, time, segmentBytes: 1024));
        await AssertStateAsync(reopened, results);
    }

    [Fact]
    public async Task TruncateTo_ThenCrash_ReopenDoesNotUseSnapshotsOfTheCutTail()
    {
        var (storage, time) = (new SimulatedStorage(), Clock());
        var log = PartitionLog.Open(Dir, Options(storage, time, segmentBytes: 1024));
        var results = await AppendBatchesAsync(log, 0, 20);
        log.TruncateTo(results[5].FirstOffset);

        // Other producers' appends carry the log end past the old snapshots' offsets; Pid's batches 5.. are gone.
        for (var i = 0; i < 30; i++)
        {
            await log.AppendAsync(Make(Pid + 1, 0, i * Records, Records), Ct);
        }

        await log.FlushAsync(Ct);
        storage.Crash(PowerLossMode.DropUnflushed, 1);
        await log.DisposeAsync();

        await using var reopened = PartitionLog.Open(Dir, Options(storage, time, segmentBytes: 1024));
        await AssertStateAsync(reopened, results[..5]);
    }

    [Fact]
    public async Task Reopen_WithDamagedSnapshots_IgnoresThemAndRebuildsFromTheLog()
    {
        foreach (var damage in new[] { "flip newest", "truncate newest", "flip all", "empty all" })
        {
            var (storage, time) = (new SimulatedStorage(), Clock());
            List<AppendResult> results;
            await using (var log = PartitionLog.Open(Dir, Options(storage, time, segmentBytes: 1024)))
            {
                results = await AppendBatchesAsync(log, 0, 20);
            }

            var offsets = SnapshotOffsets(storage);
            Assert.True(offsets.Count > 2);
            foreach (var offset in damage.EndsWith("all", StringComparison.Ordinal) ? offsets : offsets[^1..])
            {
                var path = $"{Dir}/{offset:D20}.snapshot";
                var length = storage.ReadAllBytes(path).Length;
                if (damage.StartsWith("flip", StringComparison.Ordinal))
                {
                    storage.FlipBit(path, (length * 8L) - 3);
                }
                else
                {
                    storage.WriteAllBytes(path, damage.StartsWith("empty", StringComparison.Ordinal) ? [] : storage.ReadAllBytes(path)[..(length - 1)]);
                }
            }

            storage.MakeEverythingDurable();
            await using var reopened = PartitionLog.Open(Dir, Options(storage, time, segmentBytes: 1024));
            await AssertStateAsync(reopened, results, damage);
            Assert.DoesNotContain(offsets[^1], SnapshotOffsets(storage));
        }
    }

    [Fact]
    public async Task DeleteRecordsBefore_ForgetsProducersBelowTheStartAndKeepsTheNewestUsableSnapshot()
    {
        var (storage, time) = (new SimulatedStorage(), Clock());
        const long Gone = 5;
        List<AppendResult> results;
        await using (var log = PartitionLog.Open(Dir, Options(storage, time, segmentBytes: 1024)))
        {
            await log.AppendAsync(Make(Gone, 0, 0, Records), Ct);
            results = await AppendBatchesAsync(log, 0, 20);
            var start = results[12].FirstOffset + 1;
            var before = SnapshotOffsets(storage);
            log.DeleteRecordsBefore(start);

            var after = SnapshotOffsets(storage);
            var keep = before.Last(o => o <= start);
            Assert.Equal(before.Where(o => o >= keep), after);
            Assert.False((await log.AppendAsync(Make(Gone, 0, 1000, Records), Ct)).IsDuplicate); // unknown again: any sequence
            await AssertStateAsync(log, results, "after DeleteRecordsBefore");
        }

        await using var reopened = PartitionLog.Open(Dir, Options(storage, time, segmentBytes: 1024));
        await AssertStateAsync(reopened, results, "after reopen");
        await Assert.ThrowsAsync<OutOfOrderSequenceException>(async () => await reopened.AppendAsync(Make(Gone, 0, 0, Records), Ct));
    }

    [Fact]
    public async Task Snapshot_DropsProducerIdsIdleLongerThanTheExpiration()
    {
        var (storage, time) = (new SimulatedStorage(), Clock());
        var options = new LogOptions
        {
            Storage = storage, TimeProvider = time, RetentionMs = null, RetentionCheckInterval = null, ProducerIdExpiration = TimeSpan.FromHours(2),
        };
        await using var log = PartitionLog.Open(Dir, options);
        await log.AppendAsync(Make(Pid, 0, 0), Ct);
        time.Advance(TimeSpan.FromHours(1));
        log.Roll();
        await Assert.ThrowsAsync<OutOfOrderSequenceException>(async () => await log.AppendAsync(Make(Pid, 0, 50), Ct));

        time.Advance(TimeSpan.FromHours(1));
        await log.AppendAsync(Make(Pid + 1, 0, 0, timestamp: time.GetUtcNow().ToUnixTimeMilliseconds()), Ct);
        log.Roll();

        Assert.False((await log.AppendAsync(Make(Pid, 0, 50), Ct)).IsDuplicate);
        await Assert.ThrowsAsync<OutOfOrderSequenceException>(async () => await log.AppendAsync(Make(Pid + 1, 0, 50), Ct));
    }

    [Fact]
    public async Task SnapshotFile_HasTheDocumentedLayout()
    {
        var (storage, time) = (new SimulatedStorage(), Clock());
        await using (var log = PartitionLog.Open(Dir, Options(storage, time)))
        {
            await log.AppendAsync(Make(Pid, 2, 10, records: 4), Ct);
            await log.AppendAsync(Make(Pid, 2, 14, records: 1), Ct);
        }

        var file = storage.ReadAllBytes($"{Dir}/{5:D20}.snapshot");
        Assert.Equal(18 + 11 + (2 * 28), file.Length);
        Assert.Equal(1, BinaryPrimitives.ReadInt16BigEndian(file));
        Assert.Equal(Crc32C.Compute(file.AsSpan(6)), BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(2)));
        Assert.Equal(5, BinaryPrimitives.ReadInt64BigEndian(file.AsSpan(6)));
        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(14)));
        Assert.Equal(Pid, BinaryPrimitives.ReadInt64BigEndian(file.AsSpan(18)));
        Assert.Equal(2, BinaryPrimitives.ReadInt16BigEndian(file.AsSpan(26)));
        Assert.Equal(2, file[28]);
        var second = file.AsSpan(29 + 28);
        Assert.Equal((14, 14, 4L, 0, StartMs), (BinaryPrimitives.ReadInt32BigEndian(second), BinaryPrimitives.ReadInt32BigEndian(second[4..]),
            BinaryPrimitives.ReadInt64BigEndian(second[8..]), BinaryPrimitives.ReadInt32BigEndian(second[16..]), BinaryPrimitives.ReadInt64BigEndian(second[20..])));
    }

    private static async Task<List<AppendResult>> AppendBatchesAsync(PartitionLog log, int from, int count)
    {
        var results = new List<AppendResult>();
        for (var i = from; i < from + count; i++)
        {
            var result = await log.AppendAsync(Make(Pid, 0, i * Records, Records), Ct);
            Assert.False(result.IsDuplicate);
            results.Add(result);
        }

        return results;
    }

    /// <summary>
    /// Pid's batches in the log are exactly <paramref name="appended"/>; retries of the last five are duplicates with
    /// their offsets, the sixth newest is out of order, a gap is out of order, and the next sequence is appended.
    /// </summary>
    private static async Task AssertStateAsync(PartitionLog log, IReadOnlyList<AppendResult> appended, string what = "")
    {
        var records = ReadAll(log).Where(r => r.ProducerId == Pid).Select(r => (r.Offset, r.Sequence));
        var expected = appended.SelectMany((batch, i) => Enumerable.Range(0, Records).Select(j => (Offset: batch.FirstOffset + j, Sequence: (i * Records) + j)));
        Assert.Equal(expected.Where(r => r.Offset >= log.LogStartOffset), records);
        for (var i = Math.Max(0, appended.Count - 5); i < appended.Count; i++)
        {
            var retry = await log.AppendAsync(Make(Pid, 0, i * Records, Records), Ct);
            Assert.True(retry.IsDuplicate, $"{what}: retry of batch {i} of {appended.Count} was appended");
            Assert.Equal((appended[i].FirstOffset, appended[i].LastOffset), (retry.FirstOffset, retry.LastOffset));
        }

        if (appended.Count > 5)
        {
            await Assert.ThrowsAsync<OutOfOrderSequenceException>(async () => await log.AppendAsync(Make(Pid, 0, (appended.Count - 6) * Records, Records), Ct));
        }

        if (appended.Count > 0)
        {
            await Assert.ThrowsAsync<OutOfOrderSequenceException>(async () => await log.AppendAsync(Make(Pid, 0, (appended.Count + 1) * Records, Records), Ct));
        }

        var end = log.LogEndOffset;
        var next = await log.AppendAsync(Make(Pid, 0, appended.Count * Records, Records), Ct);
        Assert.False(next.IsDuplicate, what);
        Assert.Equal(end, next.FirstOffset);
        log.TruncateTo(end);
    }

    private static List<long> SnapshotOffsets(SimulatedStorage storage)
        => [.. storage.ListFiles(Dir).Where(f => f.EndsWith(".snapshot", StringComparison.Ordinal)).Select(f => long.Parse(f[..20], System.Globalization.CultureInfo.InvariantCulture)).Order()];
}

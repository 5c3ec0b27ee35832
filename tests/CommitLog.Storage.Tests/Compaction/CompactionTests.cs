using CommitLog.TestKit;

namespace CommitLog.Storage.Tests.Compaction;

/// <summary>Log compaction of one partition: what is kept, what is removed, when, and what stays untouched.</summary>
public class CompactionTests
{
    private static (string, string?) R(string key, string? value) => (key, value);

    /// <summary>The latest written record of every key, in offset order (the expected content of a fully cleaned range).</summary>
    private static List<KeyedRecord> LatestPerKey(IEnumerable<KeyedRecord> written)
        => [.. written.GroupBy(r => r.Key).Select(g => g.MaxBy(r => r.Offset)).OrderBy(r => r.Offset)];

    [Fact]
    public async Task Compact_OverwrittenKeys_KeepsLatestPerKeyWithOffsetsAndTimestampsUnchanged()
    {
        await using var c = new CompactedLog();
        for (var round = 0; round < 4; round++)
        {
            await c.AppendAsync(R("a", $"a{round}"), R("b", $"b{round}"), R($"only{round}", "x"));
            c.Time.Advance(TimeSpan.FromSeconds(1));
            await c.AppendAsync(R("c", $"c{round}"));
            c.Log.Roll();
        }

        var end = c.Log.LogEndOffset;
        var result = await c.CompactAsync();

        Assert.True(result.Cleaned, result.SkipReason);
        Assert.Equal(LatestPerKey(c.Written), c.ReadAll());
        Assert.Equal(end, c.Log.LogEndOffset);
        Assert.Equal(0, c.Log.LogStartOffset);
        Assert.Equal(c.Written.Count - LatestPerKey(c.Written).Count, result.RecordsRemoved);
        Assert.True(result.BytesAfter < result.BytesBefore, $"{result.BytesAfter} >= {result.BytesBefore}");
    }

    [Fact]
    public async Task Compact_ActiveSegment_IsNeverCleaned()
    {
        await using var c = new CompactedLog();
        await c.AppendAsync(R("a", "1"), R("b", "1"));
        c.Log.Roll();
        await c.AppendAsync(R("a", "2"));
        await c.AppendAsync(R("a", "3"), R("b", "2")); // active segment: duplicates stay

        var result = await c.CompactAsync();

        // The sealed segment had no duplicate inside the cleanable range, so it is kept as is; the active one untouched.
        Assert.Equal(c.Written, c.ReadAll());
        Assert.Equal(2, result.CleanableEndOffset);
        Assert.Equal(0, result.RecordsRemoved);
    }

    [Fact]
    public async Task Compact_DirtyRatioBelowMinimum_SkipsUnlessForced()
    {
        await using var c = new CompactedLog(o => new LogOptions
        {
            Storage = o.Storage, CleanupPolicy = o.CleanupPolicy, TimeProvider = o.TimeProvider, RetentionCheckInterval = null,
            MinCleanableDirtyRatio = 0.9, SegmentBytes = o.SegmentBytes,
        });
        await c.AppendAsync(R("a", "1"), R("b", "1"));
        c.Log.Roll();
        await c.AppendAsync(R("a", "2"));
        c.Log.Roll();
        var first = await c.CompactAsync(force: false); // everything is dirty: ratio 1
        Assert.True(first.Cleaned, first.SkipReason);
        Assert.Equal(1.0, first.DirtyRatio);

        await c.AppendAsync(R("b", "2")); // small dirty segment after a cleaned one
        c.Log.Roll();
        var second = await c.CompactAsync(force: false);

        Assert.False(second.Cleaned);
        Assert.InRange(second.DirtyRatio, 0.01, 0.89);
        Assert.Contains("min.cleanable.dirty.ratio", second.SkipReason, StringComparison.Ordinal);
        Assert.Equal(3, c.ReadAll().Count); // b=1 still there

        var forced = await c.CompactAsync(force: true);
        Assert.True(forced.Cleaned, forced.SkipReason);
        Assert.Equal(LatestPerKey(c.Written), c.ReadAll());
    }

    [Fact]
    public async Task Compact_MinCompactionLag_LeavesYoungSegmentsAndEverythingAfter()
    {
        await using var c = new CompactedLog(o => new LogOptions
        {
            Storage = o.Storage, CleanupPolicy = o.CleanupPolicy, TimeProvider = o.TimeProvider, RetentionCheckInterval = null,
            MinCompactionLag = TimeSpan.FromMinutes(10),
        });
        await c.AppendAsync(R("a", "1"), R("b", "1"));
        c.Log.Roll();
        c.Time.Advance(TimeSpan.FromMinutes(11));
        await c.AppendAsync(R("a", "2"));
        c.Log.Roll();
        await c.AppendAsync(R("b", "2"));
        c.Log.Roll();

        // Only the first segment is old enough; a=2 and b=2 are too young, so nothing they supersede is removed.
        var early = await c.CompactAsync();
        Assert.Equal(c.Written, c.ReadAll());
        Assert.Equal(2, early.CleanableEndOffset);

        c.Time.Advance(TimeSpan.FromMinutes(11));
        var late = await c.CompactAsync();
        Assert.True(late.Cleaned, late.SkipReason);
        Assert.Equal(LatestPerKey(c.Written), c.ReadAll());
    }

    [Fact]
    public async Task Compact_Tombstones_KeptForDeleteRetentionThenRemoved()
    {
        await using var c = new CompactedLog();
        await c.AppendAsync(R("a", "1"), R("b", "1"), R("c", "1"));
        c.Log.Roll();
        await c.AppendAsync(R("a", null), R("c", "2"));
        c.Log.Roll();
        await c.AppendAsync(R("d", "1")); // active

        await c.CompactAsync();
        var afterFirst = c.ReadAll();
        Assert.Contains(afterFirst, r => r.Key == "a" && r.Value is null); // the tombstone stays for delete.retention.ms
        Assert.DoesNotContain(afterFirst, r => r.Key == "a" && r.Value is not null);

        c.Time.Advance(TimeSpan.FromMinutes(59));
        await c.CompactAsync();
        Assert.Contains(c.ReadAll(), r => r.Key == "a" && r.Value is null);

        c.Time.Advance(TimeSpan.FromMinutes(2));
        var result = await c.CompactAsync();
        var final = c.ReadAll();
        Assert.DoesNotContain(final, r => r.Key == "a");
        Assert.Equal(1, result.TombstonesRemoved);
        Assert.Equal(["b", "c", "d"], final.Select(r => r.Key));
        Assert.Equal(c.Written[^1].Offset + 1, c.Log.LogEndOffset);
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Lz4)]
    public async Task Compact_CompressedBatches_KeepsLatestPerKeyAndCodec(CompressionType compression)
    {
        await using var c = new CompactedLog();
        for (var i = 0; i < 5; i++)
        {
            await c.AppendAsync(compression, R("a", $"a{i}"), R("b", $"b{i}"), R($"u{i}", "u"));
        }

        await c.AppendAsync(compression, R("a", "all gone"), R("b", "all gone"), R("u0", "new"), R("u1", "new"), R("u2", "new"), R("u3", "new"), R("u4", "new"));
        c.Log.Roll();

        await c.CompactAsync();

        Assert.Equal(LatestPerKey(c.Written), c.ReadAll());
        using var read = c.Log.Read(0, 1 << 20);
        var batches = RecordBatch.ReadAll(read.Records).ToList();
        Assert.Equal(6, batches.Count); // emptied batches stay as headers, so offsets remain contiguous
        Assert.All(batches.Take(5), b => Assert.Equal(0, b.Header.RecordsCount));
        Assert.Equal(compression, batches[^1].Header.Compression);
        Assert.All(batches, b => b.Validate());
    }

    [Fact]
    public async Task Read_FromEveryOffsetAfterCompaction_ReturnsRemainingRecordsFromThere()
    {
        await using var c = new CompactedLog();
        for (var i = 0; i < 30; i++)
        {
            await c.AppendAsync(R($"k{i % 4}", $"v{i}"));
            if (i % 7 == 6)
            {
                c.Log.Roll();
            }
        }

        c.Log.Roll();
        await c.CompactAsync();
        var all = c.ReadAll();
        for (var offset = 0L; offset <= c.Log.LogEndOffset; offset++)
        {
            Assert.Equal(all.Where(r => r.Offset >= offset), c.ReadAll(offset));
        }
    }

    [Fact]
    public async Task Compact_ReplacedSegments_FilesRemovedAndSmallSegmentsGrouped()
    {
        await using var c = new CompactedLog();
        for (var i = 0; i < 40; i++)
        {
            await c.AppendAsync(R($"k{i % 3}", new string('x', 100)));
            c.Log.Roll();
        }

        var sizeBefore = c.Log.Size;
        Assert.Equal(41, c.SegmentFiles().Count);

        var result = await c.CompactAsync();

        Assert.Equal(40, result.SegmentsBefore);
        Assert.Equal(1, result.SegmentsAfter);
        Assert.Equal(2, c.Log.SegmentCount);
        Assert.Equal(2, c.SegmentFiles().Count);
        Assert.DoesNotContain(c.Disk.ListFiles(CompactedLog.Directory), f => f.EndsWith(".deleted", StringComparison.Ordinal)
            || f.EndsWith(".cleaned", StringComparison.Ordinal) || f.EndsWith(".swap", StringComparison.Ordinal));
        Assert.True(c.Log.Size < sizeBefore);
        Assert.Equal(LatestPerKey(c.Written), c.ReadAll());
    }

    [Fact]
    public async Task Compact_ThenCleanReopenAndCrashReopen_ReadsTheSame()
    {
        await using var c = new CompactedLog();
        for (var i = 0; i < 50; i++)
        {
            await c.AppendAsync(R($"k{i % 5}", $"v{i}"), R($"k{(i + 2) % 7}", i % 9 == 0 ? null : $"w{i}"));
            if (i % 6 == 5)
            {
                c.Log.Roll();
            }
        }

        await c.CompactAsync();
        var compacted = c.ReadAll();
        var end = c.Log.LogEndOffset;

        await c.ReopenAsync();
        Assert.Equal(compacted, c.ReadAll());

        await c.CrashAndReopenAsync(PowerLossMode.DropUnflushed, 3);
        Assert.Equal(compacted.Where(r => r.Offset < c.Log.LogEndOffset), c.ReadAll());
        Assert.True(c.Log.LogEndOffset <= end);

        var again = await c.CompactAsync();
        Assert.Equal(0, again.RecordsRemoved);
    }

    [Fact]
    public async Task Compact_KeyMapFull_CleansInSeveralRunsToTheSameResult()
    {
        await using var c = new CompactedLog(o => new LogOptions
        {
            Storage = o.Storage, CleanupPolicy = o.CleanupPolicy, TimeProvider = o.TimeProvider, RetentionCheckInterval = null, CleanerMaxKeys = 2,
        });
        await c.AppendAsync(R("a", "1"), R("b", "1"));
        c.Log.Roll();
        await c.AppendAsync(R("c", "1"), R("d", "1"));
        c.Log.Roll();
        await c.AppendAsync(R("a", "2"), R("c", "2"));
        c.Log.Roll();

        var first = await c.CompactAsync();
        var second = await c.CompactAsync();
        Assert.Equal((2L, 4L), (first.CleanableEndOffset, second.CleanableEndOffset));
        Assert.Equal(c.Written, c.ReadAll()); // every key so far was unique in what was mapped

        var third = await c.CompactAsync();
        Assert.Equal(6, third.CleanableEndOffset);
        Assert.Equal(2, third.RecordsRemoved);
        Assert.Equal(LatestPerKey(c.Written), c.ReadAll());
    }
}

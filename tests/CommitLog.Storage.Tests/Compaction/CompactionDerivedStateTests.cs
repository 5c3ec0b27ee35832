using CommitLog.TestKit;

namespace CommitLog.Storage.Tests.Compaction;

/// <summary>
/// R5 for compaction: the cleaner's checkpoint and the cleaned segments' indexes are derived data. Damaged, deleted or
/// stale, they cost extra work but never a key's latest value, and never a tombstone before delete.retention.ms.
/// </summary>
public class CompactionDerivedStateTests
{
    private static readonly string CheckpointPath = CompactedLog.Directory + "/cleaner-offset-checkpoint";

    private static (string, string?) R(string key, string? value) => (key, value);

    private static List<KeyedRecord> Latest(CompactedLog c, bool withTombstones)
        => [.. c.Written.GroupBy(r => r.Key).Select(g => g.MaxBy(r => r.Offset)).Where(r => withTombstones || r.Value is not null).OrderBy(r => r.Offset)];

    [Theory]
    [InlineData("deleted")]
    [InlineData("garbage")]
    [InlineData("truncated")]
    [InlineData("stale")]
    public async Task CleanerCheckpoint_Damaged_LatestValuesKeptAndTombstonesNotRemovedEarly(string damage)
    {
        await using var c = new CompactedLog();
        await c.AppendAsync(R("a", "1"), R("b", "1"), R("c", "1"));
        c.Log.Roll();
        await c.CompactAsync();
        var stale = c.Disk.ReadAllBytes(CheckpointPath);
        await c.AppendAsync(R("a", null), R("b", "2"));
        c.Log.Roll();
        await c.CompactAsync(); // the tombstone's delete.retention.ms (1 h) starts now
        var start = c.Time.GetUtcNow();

        await c.Log.DisposeAsync();
        switch (damage)
        {
            case "deleted": c.Disk.DeleteFile(CheckpointPath); break;
            case "garbage": c.Disk.WriteAllBytes(CheckpointPath, "1\nnot a number\n"u8); break;
            case "truncated": c.Disk.WriteAllBytes(CheckpointPath, c.Disk.ReadAllBytes(CheckpointPath).AsSpan(0, 3)); break;
            default: c.Disk.WriteAllBytes(CheckpointPath, stale); break;
        }

        c.Use(PartitionLog.Open(CompactedLog.Directory, c.Options(c.Disk)));
        for (var minutes = 10; c.Time.GetUtcNow() - start < TimeSpan.FromMinutes(59); c.Time.Advance(TimeSpan.FromMinutes(minutes)))
        {
            await c.CompactAsync();
            Assert.Equal(Latest(c, withTombstones: true), c.ReadAll());
        }

        // Later the tombstone goes (a lost clock restarts at the next cleaning: kept longer, never shorter).
        for (var i = 0; i < 3; i++)
        {
            c.Time.Advance(TimeSpan.FromMinutes(61));
            await c.CompactAsync();
        }

        Assert.Equal(Latest(c, withTombstones: false), c.ReadAll());
    }

    [Theory]
    [InlineData(".index")]
    [InlineData(".timeindex")]
    public async Task CleanedSegmentIndex_DeletedThenCrash_RebuiltAndReadsTheSame(string suffix)
    {
        await using var c = new CompactedLog();
        for (var i = 0; i < 60; i++)
        {
            await c.AppendAsync(R($"k{i % 7}", new string('v', 40 + i)));
            if (i % 20 == 19)
            {
                c.Log.Roll();
            }
        }

        await c.CompactAsync();
        var compacted = c.ReadAll();
        var at = c.Written[^3].Timestamp;
        var expectedAt = c.Log.OffsetForTimestamp(at);

        await c.CrashAsync(PowerLossMode.ProcessCrash, 1);
        c.Disk.DeleteFile($"{CompactedLog.Directory}/{0:D20}{suffix}");
        c.Use(PartitionLog.Open(CompactedLog.Directory, c.Options(c.Disk)));

        Assert.Equal(compacted, c.ReadAll());
        Assert.Equal(expectedAt, c.Log.OffsetForTimestamp(at));
        Assert.All(compacted, r => Assert.Equal(r, c.ReadAll(r.Offset)[0]));
    }
}

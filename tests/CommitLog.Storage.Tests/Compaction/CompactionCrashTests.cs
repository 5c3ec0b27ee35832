using CommitLog.Storage.Tests.Reliability;
using CommitLog.TestKit;

namespace CommitLog.Storage.Tests.Compaction;

/// <summary>
/// R2 for compaction: the process dies at every mutating storage call of a cleaner run, under every power-loss mode.
/// The reopened log must read either the old or the cleaned contents (one cleaned segment: the swap is all or
/// nothing), never lose a key's latest record, keep its offsets, and clean to the same result afterwards.
/// </summary>
public class CompactionCrashTests
{
    private static (string, string?) R(string key, string? value) => (key, value);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Compaction_CrashAtEveryStorageCallUnderEveryMode_ReopensOldOrCleaned(bool severalGroups)
    {
        List<KeyedRecord> old, cleaned;
        long calls;
        await using (var dry = await SetupAsync(severalGroups, 0))
        {
            var probe = OpenThroughProbe(dry);
            old = dry.ReadAll();
            var before = probe.MutatingCalls;
            var result = await dry.CompactAsync();
            Assert.True(result.Cleaned, result.SkipReason);
            Assert.Equal(severalGroups ? 1 : 0, Math.Sign(result.SegmentsAfter - 1));
            calls = probe.MutatingCalls - before;
            cleaned = dry.ReadAll();
            Assert.NotEqual(old, cleaned);
        }

        Assert.True(calls > 10, $"the cleaner made only {calls} mutating storage calls");
        var modes = LogOps.Modes;
        for (var n = 0L; n <= calls; n++)
        {
            for (var m = 0; m < modes.Length; m++)
            {
                var seed = (int)(n * modes.Length) + m;
                await using var c = await SetupAsync(severalGroups, seed);
                var probe = OpenThroughProbe(c);
                probe.DieAfter = probe.MutatingCalls + n;
                try
                {
                    await c.CompactAsync();
                }
                catch (Exception) when (probe.IsDead)
                {
                }

                string context = $"crash after cleaner call {n} of {calls}, {modes[m]}, seed {seed}";
                try
                {
                    await c.CrashAndReopenAsync(modes[m], seed, probe);
                    Verify(c, old, cleaned, severalGroups, context);
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    Assert.Fail($"{context}: {e}");
                }
            }
        }
    }

    [Fact]
    public async Task Compaction_CrashLeavingSwapThenCrashAtEveryCallOfRecovery_ReopensOldOrCleaned()
    {
        List<KeyedRecord> old, cleaned;
        long calls;
        await using (var dry = await SetupAsync(false, 0))
        {
            var probe = OpenThroughProbe(dry);
            old = dry.ReadAll();
            var before = probe.MutatingCalls;
            await dry.CompactAsync();
            calls = probe.MutatingCalls - before;
            cleaned = dry.ReadAll();
        }

        PowerLossMode[] firstModes = [PowerLossMode.ProcessCrash, PowerLossMode.DropUnflushed, PowerLossMode.Random];
        var modes = LogOps.Modes;
        var pending = 0;
        for (var n = 0L; n <= calls; n++)
        {
            foreach (var first in firstModes)
            {
                var seed = (int)n * 31 + (int)first;
                for (var m = 0L; ; m++)
                {
                    await using var c = await SetupAsync(false, seed);
                    var probe = OpenThroughProbe(c);
                    probe.DieAfter = probe.MutatingCalls + n;
                    try
                    {
                        await c.CompactAsync();
                    }
                    catch (Exception) when (probe.IsDead)
                    {
                    }

                    await c.CrashAsync(first, seed, probe);
                    if (!c.Disk.ListFiles(CompactedLog.Directory).Any(f => f.EndsWith(".log.swap", StringComparison.Ordinal)))
                    {
                        c.Use(PartitionLog.Open(CompactedLog.Directory, c.Options(c.Disk)));
                        break; // no committed swap for recovery to finish
                    }

                    pending += m == 0 ? 1 : 0;
                    var recovery = new ProbeStorage(c.Disk) { DieAfter = m };
                    try
                    {
                        c.Use(PartitionLog.Open(CompactedLog.Directory, c.Options(recovery)));
                        break; // recovery made fewer than m calls: every cut point was tried
                    }
                    catch (Exception) when (recovery.IsDead)
                    {
                    }

                    var second = modes[(int)((n + m) % modes.Length)];
                    var context = $"crash after cleaner call {n} ({first}), then after recovery call {m} ({second}), seed {seed}";
                    try
                    {
                        await c.CrashAndReopenAsync(second, seed + 1);
                        Verify(c, old, cleaned, severalGroups: false, context);
                    }
                    catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                    {
                        Assert.Fail($"{context}: {e}");
                    }
                }
            }
        }

        Assert.True(pending > 0, "no crash left a committed swap for recovery to finish");
    }

    private static void Verify(CompactedLog c, List<KeyedRecord> old, List<KeyedRecord> cleaned, bool severalGroups, string context)
    {
        var after = c.ReadAll();
        Assert.True(old[^1].Offset + 1 == c.Log.LogEndOffset, $"{context}: the log end moved to {c.Log.LogEndOffset}");
        if (!severalGroups)
        {
            Assert.True(after.SequenceEqual(old) || after.SequenceEqual(cleaned), $"{context}: the log holds neither the old nor the cleaned records");
        }

        // Every record read back is one that was written, at its offset; none of the cleaned result is missing.
        var oldByOffset = old.ToDictionary(r => r.Offset);
        Assert.All(after, r => Assert.True(oldByOffset.TryGetValue(r.Offset, out var w) && w == r, $"{context}: record {r} was not written"));
        Assert.True(cleaned.All(r => after.Contains(r)), $"{context}: a record that cleaning keeps is missing");
        Assert.True(after.Select(r => r.Offset).Order().SequenceEqual(after.Select(r => r.Offset)), $"{context}: offsets out of order");

        // Cleaning again reaches the cleaned contents.
        var again = c.Log.CompactAsync(true, TestContext.Current.CancellationToken).AsTask().GetAwaiter().GetResult();
        Assert.True(again.SkipReason is null || again.Cleaned, $"{context}: {again.SkipReason}");
        Assert.Equal(cleaned, c.ReadAll());
    }

    /// <summary>A compacted log with overwritten keys and a tombstone over several sealed segments, closed cleanly.</summary>
    private static async Task<CompactedLog> SetupAsync(bool severalGroups, int seed)
    {
        var c = new CompactedLog(o => new LogOptions
        {
            Storage = o.Storage, CleanupPolicy = LogCleanupPolicy.Compact, TimeProvider = o.TimeProvider, RetentionCheckInterval = null,
            SegmentBytes = severalGroups ? 1024 : 64 * 1024, IndexIntervalBytes = 64, DeleteRetention = TimeSpan.FromHours(1),
        }, seed);
        for (var i = 0; i < 12; i++)
        {
            await c.AppendAsync(R($"k{i % 4}", new string((char)('a' + i), 150)), R($"u{i}", "unique"));
            if (i == 5)
            {
                await c.AppendAsync(R("u1", null));
            }

            if (i % 3 == 2)
            {
                c.Log.Roll();
            }
        }

        await c.AppendAsync(R("k0", "active"));
        await c.Log.DisposeAsync();
        return c;
    }

    private static ProbeStorage OpenThroughProbe(CompactedLog c)
    {
        var probe = new ProbeStorage(c.Disk);
        c.Use(PartitionLog.Open(CompactedLog.Directory, c.Options(probe)));
        return probe;
    }
}

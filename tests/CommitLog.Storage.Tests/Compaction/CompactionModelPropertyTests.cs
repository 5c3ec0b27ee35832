using CommitLog.TestKit;
using FsCheck.Xunit;

namespace CommitLog.Storage.Tests.Compaction;

/// <summary>
/// Model-based test of compaction: random keyed writes, tombstones, rolls, cleaner runs (forced or by dirty ratio),
/// clock moves, clean and crashed reopens. After every step the log is read from the start and checked against
/// everything written: offsets unchanged, records unchanged, everything above the cleaned range present, below it
/// exactly the latest record per key, and a tombstone gone only once delete.retention.ms has passed since it was
/// first cleaned. At the end, with the clock moved on, the log holds exactly the latest live value per key.
/// </summary>
public class CompactionModelPropertyTests
{
    private static readonly TimeSpan DeleteRetention = TimeSpan.FromHours(1);

    [Property(MaxTest = 120)]
    public void Compaction_RandomOpSequence_MatchesModel(int[] codes)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        Task.Run(() => RunAsync(codes), cancellationToken).GetAwaiter().GetResult();
    }

    [Theory]
    [InlineData(new[] { 0, 6, 1, 12, 2, 4, 4, 4, 2 })]      // write, tombstone, roll, clean, wait out the tombstone
    [InlineData(new[] { 0, 1, 0, 1, 3, 5, 0, 1, 2, 11, 2 })] // ratio-based run, clean reopen, crash reopen
    public Task Compaction_PinnedSequence_MatchesModel(int[] codes) => RunAsync(codes);

    private static async Task RunAsync(int[] codes)
    {
        await using var c = new CompactedLog(o => new LogOptions
        {
            Storage = o.Storage, CleanupPolicy = LogCleanupPolicy.Compact, TimeProvider = o.TimeProvider, RetentionCheckInterval = null,
            SegmentBytes = 1024, IndexIntervalBytes = 64, DeleteRetention = DeleteRetention, MinCleanableDirtyRatio = 0.3,
        });
        var model = new Model(c);
        var step = 0;
        foreach (var code in codes)
        {
            var op = Math.Abs(code % 6);
            var arg = Math.Abs(code / 6);
            string what;
            switch (op)
            {
                case 0:
                    var records = Enumerable.Range(0, 1 + (arg % 3))
                        .Select(i => ($"k{(arg + i) % 5}", (arg + i) % 4 == 1 ? null : $"v{step}.{i}")).ToArray();
                    await c.AppendAsync(records);
                    what = $"append {string.Join(",", records.Select(r => r.Item1 + "=" + (r.Item2 ?? "null")))}";
                    break;
                case 1:
                    c.Log.Roll();
                    what = "roll";
                    break;
                case 2:
                case 3:
                    model.OnCompaction(await c.CompactAsync(force: op == 2));
                    what = op == 2 ? "forced clean" : "clean by ratio";
                    break;
                case 4:
                    c.Time.Advance(TimeSpan.FromMinutes(20 * (1 + (arg % 3))));
                    what = "advance clock";
                    break;
                default:
                    if (arg % 2 == 0)
                    {
                        await c.ReopenAsync();
                        what = "clean reopen";
                    }
                    else
                    {
                        await c.CrashAndReopenAsync(PowerLossMode.ProcessCrash, step);
                        what = "crash reopen";
                    }

                    break;
            }

            model.Verify($"step {step} ({what}) of [{string.Join(", ", codes)}]");
            step++;
        }

        // Liveness: everything sealed and cleaned twice with delete.retention.ms passed in between leaves exactly the
        // latest live value of each key.
        c.Log.Roll();
        model.OnCompaction(await c.CompactAsync());
        for (var i = 0; i < 2; i++)
        {
            c.Time.Advance(DeleteRetention + TimeSpan.FromMinutes(1));
            model.OnCompaction(await c.CompactAsync());
            model.Verify($"final clean {i}");
        }

        var expected = c.Written.GroupBy(r => r.Key).Select(g => g.MaxBy(r => r.Offset)).Where(r => r.Value is not null).OrderBy(r => r.Offset);
        Assert.Equal(expected, c.ReadAll());
    }

    /// <summary>What the log must hold: the written records, the cleaned range and when each offset was first cleaned.</summary>
    private sealed class Model(CompactedLog c)
    {
        private readonly Dictionary<long, long> _firstCleanedAt = [];
        private long _cleanedEnd;

        public void OnCompaction(CompactionResult result)
        {
            if (!result.Cleaned && result.RecordsRemoved == 0 && result.SegmentsBefore == 0)
            {
                // A skipped run changes nothing: the segments it would have cleaned count as not cleaned yet.
                return;
            }

            var now = c.Time.GetUtcNow().ToUnixTimeMilliseconds();
            for (var offset = 0L; offset < result.CleanableEndOffset; offset++)
            {
                _firstCleanedAt.TryAdd(offset, now);
            }

            _cleanedEnd = Math.Max(_cleanedEnd, result.CleanableEndOffset);
        }

        public void Verify(string context)
        {
            var written = c.Written;
            Assert.True(written.Count == c.Log.LogEndOffset, $"{context}: log end {c.Log.LogEndOffset}, written {written.Count}");
            Assert.True(c.Log.LogStartOffset == 0, $"{context}: log start {c.Log.LogStartOffset}");
            var stored = c.ReadAll();
            var present = new HashSet<long>();
            foreach (var r in stored)
            {
                Assert.True(r.Offset < written.Count && written[(int)r.Offset] == r, $"{context}: read {r}, which was not written at that offset");
                Assert.True(present.Add(r.Offset), $"{context}: offset {r.Offset} read twice");
            }

            var now = c.Time.GetUtcNow().ToUnixTimeMilliseconds();
            var latestBelow = written.Where(r => r.Offset < _cleanedEnd).GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Max(r => r.Offset));
            foreach (var w in written)
            {
                if (w.Offset >= _cleanedEnd)
                {
                    Assert.True(present.Contains(w.Offset), $"{context}: {w} above the cleaned range {_cleanedEnd} is missing");
                    continue;
                }

                var isLatest = latestBelow[w.Key] == w.Offset;
                if (!isLatest)
                {
                    Assert.False(present.Contains(w.Offset), $"{context}: {w} is superseded below {_cleanedEnd} but still there");
                    continue;
                }

                var mayExpire = w.Value is null && now - _firstCleanedAt[w.Offset] >= (long)DeleteRetention.TotalMilliseconds;
                Assert.True(present.Contains(w.Offset) || mayExpire, $"{context}: the latest record {w} of its key is missing");
            }
        }
    }
}

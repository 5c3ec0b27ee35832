using System.Text;
using CommitLog.TestKit;

namespace CommitLog.Storage.Tests.Log;

/// <summary>Issue 5 with compacted logs: a follower copies a cleaned leader log, and a replicated log cleans only below its high watermark.</summary>
public class ReplicationCompactionTests
{
    [Fact]
    public async Task AppendAsFollower_CompactedLeaderLog_CopiedAsItIs()
    {
        var time = ReplicaLogs.Clock();
        var leaderStorage = new SimulatedStorage();
        byte[] leaderBytes;
        await using (var leader = PartitionLog.Open("/data/leader-0", CompactedOptions(leaderStorage, time, replicated: false)))
        {
            for (var i = 0; i < 60; i++)
            {
                await leader.AppendAsync(KeyedBatch(i), TestContext.Current.CancellationToken);
            }

            leader.Roll();
            var result = await leader.CompactAsync(force: true, TestContext.Current.CancellationToken);
            Assert.True(result.Cleaned, result.SkipReason);
            leaderBytes = ReplicaLogs.ReadBytes(leader);
        }

        // The cleaned leader holds batches with fewer records than offsets (and emptied ones), still contiguous.
        var sparse = 0;
        foreach (var batch in RecordBatch.ReadAll(leaderBytes))
        {
            sparse += batch.Header.RecordsCount < batch.Header.LastOffsetDelta + 1 ? 1 : 0;
        }

        Assert.True(sparse > 0, "the leader's cleaner removed nothing");
        var storage = new SimulatedStorage();
        await using var replica = PartitionLog.Open(ReplicaLogs.Directory, CompactedOptions(storage, time, replicated: true));
        await replica.AppendAsFollowerAsync(leaderBytes.ToArray(), TestContext.Current.CancellationToken);

        Assert.Equal(leaderBytes, ReplicaLogs.ReadBytes(replica));
        Assert.Equal(120, replica.LogEndOffset);
    }

    [Fact]
    public async Task Compaction_Replicated_CleansOnlyBelowHighWatermark()
    {
        var time = ReplicaLogs.Clock();
        var storage = new SimulatedStorage();
        await using var log = PartitionLog.Open(ReplicaLogs.Directory, CompactedOptions(storage, time, replicated: true));
        for (var i = 0; i < 60; i++)
        {
            var batch = KeyedBatch(i);
            ReplicaLogs.Stamp(batch, i * 2L, 1);
            await log.AppendAsFollowerAsync(batch, TestContext.Current.CancellationToken);
        }

        log.Roll();
        var before = ReplicaLogs.ReadBytes(log);
        var skipped = await log.CompactAsync(force: true, TestContext.Current.CancellationToken);
        Assert.False(skipped.Cleaned && skipped.CleanableEndOffset > 0, "cleaned above the high watermark 0");
        Assert.Equal(before, ReplicaLogs.ReadBytes(log));

        log.UpdateHighWatermark(log.LogEndOffset);
        var cleaned = await log.CompactAsync(force: true, TestContext.Current.CancellationToken);
        Assert.True(cleaned.Cleaned, cleaned.SkipReason);
        Assert.True(ReplicaLogs.ReadBytes(log).Length < before.Length);
    }

    private static LogOptions CompactedOptions(SimulatedStorage storage, TimeProvider time, bool replicated) => new()
    {
        Storage = storage, TimeProvider = time, SegmentBytes = 1024, RetentionMs = null, RetentionCheckInterval = null,
        CleanupPolicy = LogCleanupPolicy.Compact, ReplicatedHighWatermark = replicated,
    };

    /// <summary>Two records with keys from a small set, so later batches supersede earlier ones.</summary>
    private static byte[] KeyedBatch(int i)
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(1_700_000_000_000 + i, Encoding.UTF8.GetBytes($"key{i % 5}"), Encoding.UTF8.GetBytes($"value{i}a"));
        builder.Append(1_700_000_000_000 + i, Encoding.UTF8.GetBytes($"key{(i + 1) % 5}"), Encoding.UTF8.GetBytes($"value{i}b"));
        return builder.ToArray();
    }
}

using CommitLog.Storage.Tests.Idempotence;
using CommitLog.TestKit;

namespace CommitLog.Storage.Tests.Log;

/// <summary>Issue 5: <see cref="PartitionLog.AppendAsFollowerAsync"/> copies the leader's batches as they are.</summary>
public class ReplicationAppendTests
{
    [Fact]
    public async Task AppendAsFollower_LeaderBatches_StoredByteForByte()
    {
        var storage = new SimulatedStorage();
        await using var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, ReplicaLogs.Clock()));
        var leader = ProducerBatches.Concat(ReplicaLogs.Batch(0, 4, 3), ReplicaLogs.ProducerBatch(3, 4, 77, 2, 10), ReplicaLogs.Batch(6, 7, 1));
        var copy = leader.ToArray();

        var result = await log.AppendAsFollowerAsync(copy, TestContext.Current.CancellationToken);

        Assert.Equal((0L, 6L, Durability.Written), (result.FirstOffset, result.LastOffset, result.Durability));
        Assert.False(result.IsDuplicate);
        Assert.Equal(leader, copy); // the buffer is not rewritten
        Assert.Equal(7, log.LogEndOffset);
        Assert.Equal(leader, ReplicaLogs.ReadBytes(log));
        Assert.Equal([(0L, 2L, 4), (3L, 5L, 4), (6L, 6L, 7)], ReplicaLogs.Batches(log));
        Assert.Equal(7, log.LeaderEpoch);
    }

    [Fact]
    public async Task AppendAsFollower_Epochs11335_CacheAndEndOffsetsFollowKip101()
    {
        var storage = new SimulatedStorage();
        await using var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, ReplicaLogs.Clock()));
        await log.AppendAsFollowerAsync(ReplicaLogs.Run(0, 2, 1, 1, 3), TestContext.Current.CancellationToken);
        await log.AppendAsFollowerAsync(ReplicaLogs.Run(6, 2, 3, 5), TestContext.Current.CancellationToken);

        Assert.Equal([(1, 0L), (3, 4L), (5, 8L)], log.GetLeaderEpochs());
        Assert.Equal(5, log.LeaderEpoch);
        Assert.Equal(10, log.LogEndOffset);
        Assert.Equal((1, 4L), log.EndOffsetForEpoch(1));
        Assert.Equal((1, 4L), log.EndOffsetForEpoch(2)); // unknown epoch: the largest one below it, ending where 3 starts
        Assert.Equal((3, 8L), log.EndOffsetForEpoch(3));
        Assert.Equal((3, 8L), log.EndOffsetForEpoch(4));
        Assert.Equal((5, 10L), log.EndOffsetForEpoch(5)); // the latest epoch ends at the log end offset
        Assert.Equal((5, 10L), log.EndOffsetForEpoch(9));
        Assert.Equal((-1, -1L), log.EndOffsetForEpoch(0)); // older than every known epoch: (-1, -1), the cache's contract
    }

    public static TheoryData<string, long[]> BadOffsets => new()
    {
        { "below the log end", [4] },
        { "above the log end", [6] },
        { "overlapping the previous batch", [5, 6] },
        { "gap after the previous batch", [5, 8] },
    };

    [Theory]
    [MemberData(nameof(BadOffsets))]
    public async Task AppendAsFollower_WrongBaseOffset_RejectedNamingOffsetsNothingWritten(string reason, long[] bases)
    {
        var storage = new SimulatedStorage();
        await using var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, ReplicaLogs.Clock()));
        await log.AppendAsFollowerAsync(ReplicaLogs.Run(0, 5, 1), TestContext.Current.CancellationToken);
        var before = ReplicaLogs.ReadBytes(log);
        var batches = ProducerBatches.Concat([.. bases.Select(b => ReplicaLogs.Batch(b, 2, 2))]);

        var e = await Assert.ThrowsAsync<ArgumentException>(() => log.AppendAsFollowerAsync(batches, TestContext.Current.CancellationToken).AsTask());

        Assert.Contains($"starts at offset {bases[^1]}", e.Message, StringComparison.Ordinal);
        Assert.Contains(bases.Length == 1 ? "log end offset 5" : "ends at offset 6", e.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was appended", e.Message, StringComparison.Ordinal);
        Assert.Equal(5, log.LogEndOffset);
        Assert.Equal(before, ReplicaLogs.ReadBytes(log));
        Assert.Equal([(1, 0L)], log.GetLeaderEpochs());
        Assert.Equal(1, log.LeaderEpoch);
        _ = reason;
    }

    [Fact]
    public async Task AppendAsFollower_BadCrcInSecondBatch_RejectedNothingWritten()
    {
        var storage = new SimulatedStorage();
        await using var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, ReplicaLogs.Clock()));
        var second = ReplicaLogs.Batch(2, 1, 2);
        second[^1] ^= 0x40;

        await Assert.ThrowsAsync<CorruptRecordException>(
            () => log.AppendAsFollowerAsync(ProducerBatches.Concat(ReplicaLogs.Batch(0, 1, 2), second), TestContext.Current.CancellationToken).AsTask());

        Assert.Equal(0, log.LogEndOffset);
        Assert.Empty(ReplicaLogs.ReadBytes(log));
        Assert.Empty(log.GetLeaderEpochs());
        await log.AppendAsFollowerAsync(ReplicaLogs.Batch(0, 1, 2), TestContext.Current.CancellationToken);
        Assert.Equal(2, log.LogEndOffset);
    }

    [Fact]
    public async Task AppendAsFollower_DuplicateAndGappedSequences_AcceptedAsTheLeaderDecided()
    {
        var storage = new SimulatedStorage();
        await using var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, ReplicaLogs.Clock()));
        var batches = ProducerBatches.Concat(
            ReplicaLogs.ProducerBatch(0, 1, 9, 0, 0), ReplicaLogs.ProducerBatch(3, 1, 9, 0, 0), ReplicaLogs.ProducerBatch(6, 1, 9, 0, 50));

        var result = await log.AppendAsFollowerAsync(batches, TestContext.Current.CancellationToken);

        Assert.Equal((0L, 8L), (result.FirstOffset, result.LastOffset));
        log.UpdateHighWatermark(9);
        Assert.Equal([0, 1, 2, 0, 1, 2, 50, 51, 52], ProducerBatches.ReadAll(log).Select(r => r.Sequence));
    }

    [Fact]
    public async Task AppendAsFollower_KeylessRecordsOnCompactedLog_Accepted()
    {
        var storage = new SimulatedStorage();
        var options = ReplicaLogs.Options(storage, ReplicaLogs.Clock());
        await using var log = PartitionLog.Open(ReplicaLogs.Directory, new LogOptions
        {
            Storage = options.Storage, TimeProvider = options.TimeProvider, RetentionMs = null, RetentionCheckInterval = null,
            CleanupPolicy = LogCleanupPolicy.Compact, ReplicatedHighWatermark = true,
        });
        var keyless = ReplicaLogs.ProducerBatch(0, 1, 5, 0, 0); // ProducerBatches records have no key

        await Assert.ThrowsAsync<InvalidRecordException>(() => log.AppendAsync(keyless.ToArray(), TestContext.Current.CancellationToken).AsTask());
        await log.AppendAsFollowerAsync(keyless, TestContext.Current.CancellationToken);

        Assert.Equal(3, log.LogEndOffset);
    }

    [Fact]
    public async Task AppendAsFollower_BeforeAck_FlushedAndRollsSegments()
    {
        var storage = new SimulatedStorage();
        await using var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, ReplicaLogs.Clock(), flush: FlushPolicy.BeforeAck, segmentBytes: 1024));
        var offset = 0L;
        for (var i = 0; i < 30; i++)
        {
            var result = await log.AppendAsFollowerAsync(ReplicaLogs.Batch(offset, 1 + (i / 10), 4), TestContext.Current.CancellationToken);
            Assert.Equal(Durability.Flushed, result.Durability);
            offset += 4;
            Assert.True(log.RecoveryPoint >= offset);
        }

        Assert.True(log.SegmentCount > 3, $"only {log.SegmentCount} segments");
        Assert.Equal(120, log.LogEndOffset);
        Assert.Equal([(1, 0L), (2, 40L), (3, 80L)], log.GetLeaderEpochs());
        Assert.Equal(30, ReplicaLogs.Batches(log).Count);
    }

    [Fact]
    public async Task AppendAsFollower_Reopen_OffsetsEpochsAndProducerStateSurvive_RetryAfterTakeoverIsDuplicate()
    {
        var storage = new SimulatedStorage();
        var time = ReplicaLogs.Clock();
        var copied = ReplicaLogs.ProducerBatch(2, 3, 42, 1, 0, records: 3);
        await using (var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, time)))
        {
            await log.AppendAsFollowerAsync(ProducerBatches.Concat(ReplicaLogs.Batch(0, 2, 2), copied), TestContext.Current.CancellationToken);
        }

        foreach (var clean in new[] { true, false })
        {
            await using var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, time));
            Assert.Equal(5, log.LogEndOffset);
            Assert.Equal([(2, 0L), (3, 2L)], log.GetLeaderEpochs());
            Assert.Equal(3, log.LeaderEpoch);
            Assert.Equal([(0L, 1L, 2), (2L, 4L, 3)], ReplicaLogs.Batches(log));
            if (!clean)
            {
                // The replica takes over: the producer's retry of the batch it copied is recognized, with the original offsets.
                log.SetLeaderEpoch(4);
                var retry = await log.AppendAsync(ProducerBatches.Make(42, 1, 0, records: 3), TestContext.Current.CancellationToken);
                Assert.True(retry.IsDuplicate);
                Assert.Equal((2L, 4L), (retry.FirstOffset, retry.LastOffset));
                var next = await log.AppendAsync(ProducerBatches.Make(42, 1, 3, records: 1), TestContext.Current.CancellationToken);
                Assert.Equal(5, next.FirstOffset);
                await Assert.ThrowsAsync<OutOfOrderSequenceException>(
                    () => log.AppendAsync(ProducerBatches.Make(42, 1, 9, records: 1), TestContext.Current.CancellationToken).AsTask());
            }
            else
            {
                storage.Crash(PowerLossMode.ProcessCrash, 1);
            }
        }
    }
}

using CommitLog.Storage.Tests.Idempotence;
using CommitLog.TestKit;

namespace CommitLog.Storage.Tests.Log;

/// <summary>Issue 5: <see cref="PartitionLog.ResetTo"/> restarts a replica's log empty, crash-safely.</summary>
public class ReplicationResetTests
{
    [Theory]
    [InlineData(100L)]
    [InlineData(3L)]
    [InlineData(0L)]
    public async Task ResetTo_AnyOffset_EmptyLogThere_StateCleared_SurvivesReopen(long offset)
    {
        var storage = new SimulatedStorage();
        var time = ReplicaLogs.Clock();
        await using (var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, time, segmentBytes: 1024)))
        {
            for (var i = 0L; i < 20; i++)
            {
                await log.AppendAsFollowerAsync(ReplicaLogs.ProducerBatch(i * 3, 2, 8, 0, (int)(i * 3)), TestContext.Current.CancellationToken);
            }

            log.UpdateHighWatermark(30);
            Assert.True(log.SegmentCount > 2);

            log.ResetTo(offset);

            Assert.Equal((offset, offset, offset), (log.LogStartOffset, log.LogEndOffset, log.HighWatermark));
            Assert.Equal(1, log.SegmentCount);
            Assert.Empty(log.GetLeaderEpochs());
            Assert.Empty(ReplicaLogs.ReadBytes(log));
            Assert.Throws<OffsetOutOfRangeException>(() => log.Read(offset + 1, 100, ReadLimit.LogEnd));

            // The producer state is gone: the producer's next sequence would be a gap for the old state, but is a new start now.
            await log.AppendAsFollowerAsync(ReplicaLogs.ProducerBatch(offset, 5, 8, 0, 60), TestContext.Current.CancellationToken);
            Assert.Equal([(5, offset)], log.GetLeaderEpochs());
        }

        await using var reopened = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, time, segmentBytes: 1024));
        Assert.Equal((offset, offset + 3), (reopened.LogStartOffset, reopened.LogEndOffset));
        Assert.Equal([(offset, offset + 2, 5)], ReplicaLogs.Batches(reopened));
        Assert.Equal([(5, offset)], reopened.GetLeaderEpochs());
        reopened.SetLeaderEpoch(6);
        var retry = await reopened.AppendAsync(ProducerBatches.Make(8, 0, 60), TestContext.Current.CancellationToken);
        Assert.True(retry.IsDuplicate);
        Assert.Equal(offset, retry.FirstOffset);
    }

    [Fact]
    public async Task ResetTo_CrashAtEveryStorageCallUnderEveryMode_OldLogOrEmptyAtOffset()
    {
        const long target = 50;
        var modes = Enum.GetValues<PowerLossMode>();
        long calls;
        byte[] old;
        {
            var (storage, time) = await SetupAsync();
            var probe = new ProbeStorage(storage);
            var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(probe, time, segmentBytes: 1024));
            old = ReplicaLogs.ReadBytes(log);
            var before = probe.MutatingCalls;
            log.ResetTo(target);
            calls = probe.MutatingCalls - before;
            await log.DisposeAsync();
        }

        Assert.True(calls > 5, $"the reset made only {calls} mutating storage calls");
        for (var n = 0L; n <= calls; n++)
        {
            for (var m = 0; m < modes.Length; m++)
            {
                var seed = (int)(n * modes.Length) + m;
                var context = $"crash after reset call {n} of {calls}, {modes[m]}, seed {seed}";
                var (storage, time) = await SetupAsync();
                var probe = new ProbeStorage(storage);
                var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(probe, time, segmentBytes: 1024));
                probe.DieAfter = probe.MutatingCalls + n;
                try
                {
                    log.ResetTo(target);
                }
                catch (Exception) when (probe.IsDead)
                {
                }

                await log.DisposeAsync();
                storage.Crash(modes[m], seed);
                await using var reopened = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, time, segmentBytes: 1024));
                var content = ReplicaLogs.ReadBytes(reopened);
                if (reopened.LogStartOffset == target)
                {
                    Assert.True(content.Length == 0 && reopened.LogEndOffset == target && reopened.HighWatermark == target, $"{context}: a partial reset");
                    Assert.True(reopened.GetLeaderEpochs().Count == 0, $"{context}: epochs left after the reset");
                }
                else
                {
                    Assert.True(reopened.LogStartOffset == 0 && reopened.LogEndOffset == 60, $"{context}: log {reopened.LogStartOffset}..{reopened.LogEndOffset}");
                    Assert.True(old.AsSpan().SequenceEqual(content), $"{context}: the old log changed");
                    Assert.True(reopened.HighWatermark <= reopened.LogEndOffset, context);
                }

                // Either way the log keeps working.
                var end = reopened.LogEndOffset;
                await reopened.AppendAsFollowerAsync(ReplicaLogs.Batch(end, 9, 2), TestContext.Current.CancellationToken);
                Assert.Equal(end + 2, reopened.LogEndOffset);
            }
        }
    }

    /// <summary>A flushed replica log holding offsets 0 to 59 in three epochs, several segments, producer state, high watermark 40.</summary>
    private static async Task<(SimulatedStorage Storage, TimeProvider Time)> SetupAsync()
    {
        var storage = new SimulatedStorage();
        var time = ReplicaLogs.Clock();
        await using var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, time, segmentBytes: 1024));
        for (var i = 0; i < 20; i++)
        {
            await log.AppendAsFollowerAsync(ReplicaLogs.ProducerBatch(i * 3, 1 + (i / 7), 8, 0, i * 3), TestContext.Current.CancellationToken);
        }

        log.UpdateHighWatermark(40);
        return (storage, time);
    }
}

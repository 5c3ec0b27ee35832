using CommitLog.Storage.Tests.Idempotence;
using CommitLog.TestKit;

namespace CommitLog.Storage.Tests.Log;

/// <summary>Issue 5: a replica truncates its divergent tail (KIP-101) and copies the leader's; power loss around it.</summary>
public class ReplicationTruncateTests
{
    [Fact]
    public async Task TruncateToEpochEnd_ThenAppendLeaderSuffix_LogEqualsLeader()
    {
        var storage = new SimulatedStorage();
        var time = ReplicaLogs.Clock();

        // Leader: epochs 1 (offsets 0-5), 3 (6-9). The replica also has 0-5 in epoch 1, then a divergent tail in epoch 2.
        var leader = ProducerBatches.Concat(ReplicaLogs.Run(0, 2, 1, 1, 1), ReplicaLogs.Run(6, 2, 3, 3));
        await using var replica = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, time));
        await replica.AppendAsFollowerAsync(ReplicaLogs.Run(0, 2, 1, 1, 1), TestContext.Current.CancellationToken);
        await replica.AppendAsFollowerAsync(ReplicaLogs.Run(6, 3, 2, 2, 2), TestContext.Current.CancellationToken);
        replica.UpdateHighWatermark(6);

        // The replica asks the leader where its latest epoch (2) ended: the leader knows only 1 below it, ending at 6.
        var (epoch, end) = LeaderAnswer(leader, 2);
        Assert.Equal((1, 6L), (epoch, end));
        replica.TruncateTo(Math.Min(end, replica.EndOffsetForEpoch(epoch).EndOffset));
        Assert.Equal((6L, 6L), (replica.LogEndOffset, replica.HighWatermark));
        Assert.Equal([(1, 0L)], replica.GetLeaderEpochs());

        await replica.AppendAsFollowerAsync(ReplicaLogs.Run(6, 2, 3, 3), TestContext.Current.CancellationToken);

        Assert.Equal(leader, ReplicaLogs.ReadBytes(replica));
        Assert.Equal([(1, 0L), (3, 6L)], replica.GetLeaderEpochs());
        Assert.Equal(3, replica.LeaderEpoch);
    }

    [Theory]
    [InlineData(PowerLossMode.ProcessCrash)]
    [InlineData(PowerLossMode.DropUnflushed)]
    [InlineData(PowerLossMode.KeepPrefix)]
    [InlineData(PowerLossMode.KeepRandomPages)]
    [InlineData(PowerLossMode.TornWrite)]
    [InlineData(PowerLossMode.ZeroFilledExtension)]
    [InlineData(PowerLossMode.Random)]
    public async Task CrashBetweenTruncateAndAppend_Reopen_TruncatedLogThenSuffixApplies(PowerLossMode mode)
    {
        for (var seed = 0; seed < 8; seed++)
        {
            var storage = new SimulatedStorage(seed);
            var time = ReplicaLogs.Clock();
            var leader = ProducerBatches.Concat(ReplicaLogs.Run(0, 2, 1, 1, 1), ReplicaLogs.Run(6, 2, 3, 3));
            var replica = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, time, flush: FlushPolicy.BeforeAck));
            await replica.AppendAsFollowerAsync(ReplicaLogs.Run(0, 2, 1, 1, 1), TestContext.Current.CancellationToken);
            await replica.AppendAsFollowerAsync(ReplicaLogs.Run(6, 3, 2, 2, 2), TestContext.Current.CancellationToken);
            replica.UpdateHighWatermark(6);
            replica.TruncateTo(6);
            storage.Crash(mode, seed);
            await replica.DisposeAsync();

            await using var reopened = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, time, flush: FlushPolicy.BeforeAck));
            var context = $"{mode} seed {seed}";
            Assert.True(reopened.LogEndOffset == 6, $"{context}: log end {reopened.LogEndOffset}");
            Assert.True(reopened.HighWatermark <= 6, context);
            Assert.Equal([(1, 0L)], reopened.GetLeaderEpochs());
            await reopened.AppendAsFollowerAsync(ReplicaLogs.Run(6, 2, 3, 3), TestContext.Current.CancellationToken);
            Assert.Equal(leader, ReplicaLogs.ReadBytes(reopened));
        }
    }

    [Theory]
    [InlineData(PowerLossMode.ProcessCrash)]
    [InlineData(PowerLossMode.DropUnflushed)]
    [InlineData(PowerLossMode.KeepPrefix)]
    [InlineData(PowerLossMode.KeepRandomPages)]
    [InlineData(PowerLossMode.TornWrite)]
    [InlineData(PowerLossMode.ZeroFilledExtension)]
    [InlineData(PowerLossMode.Random)]
    public async Task PowerLoss_FlushedFollowerAppends_NeverLost_HighWatermarkAtMostLogEnd(PowerLossMode mode)
    {
        for (var seed = 0; seed < 8; seed++)
        {
            var storage = new SimulatedStorage(seed);
            var time = ReplicaLogs.Clock();
            var random = new Random(seed);
            var written = new List<byte>();
            var flushedEnd = 0L;
            var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, time, segmentBytes: 1024));
            var offset = 0L;
            for (var i = 0; i < 40; i++)
            {
                var batch = ReplicaLogs.ProducerBatch(offset, 1 + (i / 9), 3, 0, (int)offset, records: 1 + random.Next(4));
                await log.AppendAsFollowerAsync(batch, TestContext.Current.CancellationToken);
                written.AddRange(batch);
                offset = log.LogEndOffset;
                log.UpdateHighWatermark(Math.Max(0, offset - random.Next(6))); // a lower value is ignored
                if (random.Next(4) == 0)
                {
                    await log.FlushAsync(TestContext.Current.CancellationToken);
                    flushedEnd = offset;
                }
            }

            storage.Crash(mode, seed);
            await log.DisposeAsync();

            await using var reopened = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, time, segmentBytes: 1024));
            var context = $"{mode} seed {seed}";
            Assert.True(reopened.LogEndOffset >= flushedEnd, $"{context}: flushed up to {flushedEnd} but the log ends at {reopened.LogEndOffset}");
            Assert.True(reopened.HighWatermark <= reopened.LogEndOffset && reopened.HighWatermark >= reopened.LogStartOffset, context);
            var content = ReplicaLogs.ReadBytes(reopened);
            Assert.True(written.Take(content.Length).SequenceEqual(content), $"{context}: the surviving log is not a prefix of what was written");

            // The epoch cache and the producer state agree with the surviving batches.
            var batches = ReplicaLogs.Batches(reopened);
            var expectedEpochs = batches.GroupBy(b => b.Epoch).Select(g => (g.Key, g.First().Base)).ToList();
            Assert.Equal(expectedEpochs, reopened.GetLeaderEpochs());
            reopened.SetLeaderEpoch(10);
            if (batches.Count > 0)
            {
                var last = batches[^1];
                var retry = ReplicaLogs.ProducerBatch(0, -1, 3, 0, (int)last.Base, records: (int)(last.Last - last.Base + 1));
                var result = await reopened.AppendAsync(retry, TestContext.Current.CancellationToken);
                Assert.True(result.IsDuplicate, $"{context}: the retry of the last copied batch was appended again");
                Assert.Equal(last.Base, result.FirstOffset);
            }
        }
    }

    /// <summary>The leader's answer to OffsetsForLeaderEpoch, computed from its batches.</summary>
    private static (int Epoch, long EndOffset) LeaderAnswer(byte[] leaderLog, int epoch)
    {
        var storage = new SimulatedStorage();
        using var leader = PartitionLog.Open("/data/leader-0", ReplicaLogs.Options(storage, ReplicaLogs.Clock()));
        leader.AppendAsFollowerAsync(leaderLog.ToArray(), TestContext.Current.CancellationToken).AsTask().GetAwaiter().GetResult();
        return leader.EndOffsetForEpoch(epoch);
    }
}

using CommitLog.TestKit;

namespace CommitLog.Storage.Tests.Log;

/// <summary>Issue 5: the high watermark of a replicated log, and reads limited by it or by the log end.</summary>
public class ReplicationHighWatermarkTests
{
    [Fact]
    public async Task HighWatermark_WithoutOption_IsLogEndAndCannotBeSet()
    {
        var storage = new SimulatedStorage();
        await using var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, ReplicaLogs.Clock(), replicated: false));
        await log.AppendAsync(TestBatches.Make(3), TestContext.Current.CancellationToken);

        Assert.Equal(3, log.HighWatermark);
        var e = Assert.Throws<InvalidOperationException>(() => log.UpdateHighWatermark(1));
        Assert.Contains("ReplicatedHighWatermark", e.Message, StringComparison.Ordinal);
        using var read = log.Read(0, 1 << 20);
        Assert.Equal(3, read.NextOffset);
    }

    [Fact]
    public async Task UpdateHighWatermark_MovesOnlyForwardAndNeverAboveLogEnd()
    {
        var storage = new SimulatedStorage();
        await using var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, ReplicaLogs.Clock()));
        await log.AppendAsFollowerAsync(ReplicaLogs.Run(0, 2, 1, 1, 1), TestContext.Current.CancellationToken);
        Assert.Equal(0, log.HighWatermark);

        log.UpdateHighWatermark(4);
        Assert.Equal(4, log.HighWatermark);
        log.UpdateHighWatermark(2);
        Assert.Equal(4, log.HighWatermark);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => log.UpdateHighWatermark(7));
        Assert.Contains("7", e.Message, StringComparison.Ordinal);
        Assert.Contains("log end offset 6", e.Message, StringComparison.Ordinal);
        Assert.Equal(4, log.HighWatermark);
        log.UpdateHighWatermark(6);
        Assert.Equal(6, log.HighWatermark);
    }

    [Fact]
    public async Task Read_ConsumerStopsAtHighWatermark_FollowerReadsToLogEnd()
    {
        var storage = new SimulatedStorage();
        await using var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, ReplicaLogs.Clock()));
        await log.AppendAsFollowerAsync(ReplicaLogs.Run(0, 2, 1, 1, 1), TestContext.Current.CancellationToken);
        log.UpdateHighWatermark(3); // inside the second batch: that batch is not visible yet

        Assert.Equal([(0L, 1L, 1)], ReplicaLogs.Batches(log, ReadLimit.HighWatermark));
        Assert.Equal(3, ReplicaLogs.Batches(log, ReadLimit.LogEnd).Count);
        using (var consumer = log.Read(0, 1 << 20))
        {
            Assert.Equal(2, consumer.NextOffset);
            Assert.Equal((3L, 0L, 6L), (consumer.HighWatermark, consumer.LogStartOffset, consumer.LogEndOffset));
        }

        using (var follower = log.Read(2, 1 << 20, ReadLimit.LogEnd))
        {
            Assert.Equal(6, follower.NextOffset);
            Assert.Equal((3L, 6L), (follower.HighWatermark, follower.LogEndOffset));
        }

        using (var atEnd = log.Read(6, 100, ReadLimit.LogEnd))
        {
            Assert.True(atEnd.IsEmpty);
        }

        var consumerError = Assert.Throws<OffsetOutOfRangeException>(() => log.Read(4, 100));
        Assert.Equal(3, consumerError.LogEndOffset);
        var followerError = Assert.Throws<OffsetOutOfRangeException>(() => log.Read(7, 100, ReadLimit.LogEnd));
        Assert.Equal(6, followerError.LogEndOffset);
    }

    [Fact]
    public async Task ReadAsync_WaitingAtHighWatermark_WokenByUpdateHighWatermark()
    {
        var storage = new SimulatedStorage();
        await using var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, TimeProvider.System));
        await log.AppendAsFollowerAsync(ReplicaLogs.Run(0, 2, 1, 1), TestContext.Current.CancellationToken);
        log.UpdateHighWatermark(2);

        var waiting = log.ReadAsync(2, 1 << 20, 1, TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken).AsTask();
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted); // data above the high watermark does not complete it
        log.UpdateHighWatermark(4);

        using var result = await waiting.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(4, result.NextOffset);
    }

    [Fact]
    public async Task ReadAsync_LogEndLimit_WokenByFollowerAppend()
    {
        var storage = new SimulatedStorage();
        await using var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, TimeProvider.System));
        var waiting = log.ReadAsync(0, 1 << 20, 1, TimeSpan.FromMinutes(5), ReadLimit.LogEnd, TestContext.Current.CancellationToken).AsTask();
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);

        await log.AppendAsFollowerAsync(ReplicaLogs.Batch(0, 1, 2), TestContext.Current.CancellationToken);

        using var result = await waiting.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(2, result.NextOffset);
        Assert.Equal(0, result.HighWatermark);
    }

    [Fact]
    public async Task HighWatermark_PersistedAtCloseAndClampedToLogEndAfterCrash()
    {
        var storage = new SimulatedStorage();
        var time = ReplicaLogs.Clock();
        await using (var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, time)))
        {
            await log.AppendAsFollowerAsync(ReplicaLogs.Run(0, 2, 1, 1, 1), TestContext.Current.CancellationToken);
            log.UpdateHighWatermark(4);
        }

        await using (var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, time)))
        {
            Assert.Equal(4, log.HighWatermark);
            log.UpdateHighWatermark(6);
            await log.AppendAsFollowerAsync(ReplicaLogs.Batch(6, 1, 2), TestContext.Current.CancellationToken); // never flushed
            storage.Crash(PowerLossMode.DropUnflushed, 3);
        }

        await using (var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, time)))
        {
            Assert.True(log.HighWatermark <= log.LogEndOffset);
            Assert.InRange(log.HighWatermark, log.LogStartOffset, 6);
        }
    }

    [Fact]
    public void Checkpoint_Version2Slot_ReadWithoutHighWatermark_Version3RoundTrips()
    {
        var slot = new byte[PartitionCheckpoint.SlotSize];
        new PartitionCheckpoint(10, 0, 500, 3, 8).Encode(5, slot);
        Assert.Equal((new PartitionCheckpoint(10, 0, 500, 3, 8), 5L), PartitionCheckpoint.TryDecode(slot));
        slot[50] ^= 1; // inside the high watermark: covered by the CRC
        Assert.Null(PartitionCheckpoint.TryDecode(slot));

        // A version 2 slot as earlier releases wrote it: CRC at byte 46, no high watermark.
        var v2 = new byte[PartitionCheckpoint.SlotSize];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(v2, 0x434C4350);
        System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(v2.AsSpan(4), 2);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(v2.AsSpan(6), 7);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(v2.AsSpan(14), 10);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(v2.AsSpan(30), 500);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(v2.AsSpan(38), 3);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(v2.AsSpan(46), Crc32C.Compute(v2.AsSpan(0, 46)));
        Assert.Equal((new PartitionCheckpoint(10, 0, 500, 3, -1), 7L), PartitionCheckpoint.TryDecode(v2));
    }

    [Fact]
    public async Task Open_Version2Checkpoint_HighWatermarkStartsAtLogStart()
    {
        var storage = new SimulatedStorage();
        var time = ReplicaLogs.Clock();
        await using (var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, time)))
        {
            await log.AppendAsFollowerAsync(ReplicaLogs.Run(0, 2, 1, 1, 1), TestContext.Current.CancellationToken);
            log.UpdateHighWatermark(6);
            log.DeleteRecordsBefore(2);
        }

        // Rewrite both slots as version 2 (what a log written before the high watermark existed holds).
        var path = Path.Combine(ReplicaLogs.Directory, "partition.checkpoint");
        var file = new PartitionCheckpointFile(storage, ReplicaLogs.Directory);
        var current = file.Read()!.Value;
        file.Dispose();
        var content = new byte[2 * PartitionCheckpoint.SlotSize];
        for (var s = 0; s < 2; s++)
        {
            var v2 = content.AsSpan(s * PartitionCheckpoint.SlotSize, PartitionCheckpoint.SlotSize);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(v2, 0x434C4350);
            System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(v2[4..], 2);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(v2[6..], 100 + s);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(v2[14..], current.RecoveryPoint);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(v2[22..], current.SegmentBase);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(v2[30..], current.Position);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(v2[38..], current.LogStartOffset);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(v2[46..], Crc32C.Compute(v2[..46]));
        }

        storage.WriteAllBytes(path, content);
        await using var reopened = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, time));
        Assert.Equal((2L, 6L, 2L), (reopened.LogStartOffset, reopened.LogEndOffset, reopened.HighWatermark));
    }

    [Fact]
    public async Task Retention_Replicated_NeverDeletesAtOrAboveHighWatermark()
    {
        var storage = new SimulatedStorage();
        var time = ReplicaLogs.Clock();
        var options = new LogOptions
        {
            Storage = storage, TimeProvider = time, SegmentBytes = 1024, RetentionMs = null, RetentionBytes = 1500,
            RetentionCheckInterval = null, ReplicatedHighWatermark = true,
        };
        await using var log = PartitionLog.Open(ReplicaLogs.Directory, options);
        for (var i = 0L; i < 40; i++)
        {
            await log.AppendAsFollowerAsync(ReplicaLogs.Batch(i * 4, 1, 4), TestContext.Current.CancellationToken);
        }

        Assert.True(log.SegmentCount > 4);
        Assert.Equal(0, log.EnforceRetention()); // high watermark 0: nothing may go
        Assert.Equal(0, log.LogStartOffset);

        var hw = log.SegmentBaseOffsets[2] + 1;
        log.UpdateHighWatermark(hw);
        Assert.Equal(2, log.EnforceRetention()); // only the segments that end at or below the high watermark
        Assert.Equal(log.SegmentBaseOffsets[0], log.LogStartOffset);
        Assert.True(log.LogStartOffset <= hw);

        Assert.Throws<OffsetOutOfRangeException>(() => log.DeleteRecordsBefore(hw + 1));
        log.UpdateHighWatermark(log.LogEndOffset);
        Assert.True(log.EnforceRetention() > 0);
        Assert.True(log.HighWatermark >= log.LogStartOffset);
    }

    [Fact]
    public async Task TruncateTo_BelowHighWatermark_ClampsIt()
    {
        var storage = new SimulatedStorage();
        var time = ReplicaLogs.Clock();
        await using (var log = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, time)))
        {
            await log.AppendAsFollowerAsync(ReplicaLogs.Run(0, 2, 1, 1, 1), TestContext.Current.CancellationToken);
            log.UpdateHighWatermark(6);
            log.TruncateTo(4);
            Assert.Equal((4L, 4L), (log.LogEndOffset, log.HighWatermark));
            log.UpdateHighWatermark(4);
            Assert.Equal(4, log.HighWatermark);
        }

        await using var reopened = PartitionLog.Open(ReplicaLogs.Directory, ReplicaLogs.Options(storage, time));
        Assert.Equal((4L, 4L), (reopened.LogEndOffset, reopened.HighWatermark));
    }
}

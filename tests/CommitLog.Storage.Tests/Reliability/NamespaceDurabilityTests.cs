using CommitLog.TestKit;

namespace CommitLog.Storage.Tests.Reliability;

/// <summary>
/// R7: every creation, rename and deletion in the partition directory is made durable (directory sync) before the
/// next acknowledgement, and a segment created by a roll is synced before data is written into it.
/// </summary>
public class NamespaceDurabilityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task EveryDirectoryChange_IsSyncedBeforeTheNextAcknowledgement(bool beforeAck)
    {
        var disk = new SimulatedStorage();
        var tracking = new TrackingStorage(disk);
        var options = new LogOptions
        {
            Storage = tracking, SegmentBytes = 1024, RetentionBytes = 4096, RetentionMs = null, RetentionCheckInterval = null,
            FlushPolicy = beforeAck ? FlushPolicy.BeforeAck : FlushPolicy.Os,
        };
        var log = PartitionLog.Open("/data/ns-0", options);
        AssertSynced(tracking, beforeAck, "open");
        for (var i = 0; i < 60; i++)
        {
            await log.AppendAsync(Log.TestBatches.Make(2, i * 2L, valueSize: 100), Ct);
            AssertSynced(tracking, beforeAck, $"append {i}");
            if (i % 10 == 9)
            {
                log.EnforceRetention();
                AssertSynced(tracking, beforeAck, $"retention after append {i}");
                log.DeleteRecordsBefore(log.LogStartOffset + 1);
                AssertSynced(tracking, beforeAck, $"delete-records after append {i}");
                log.TruncateTo(log.LogEndOffset - 3);
                AssertSynced(tracking, beforeAck, $"truncate after append {i}");
                log.Roll();
                AssertSynced(tracking, beforeAck, $"roll after append {i}");
            }
        }

        await log.DisposeAsync();
        AssertSynced(tracking, beforeAck, "close");
        var events = tracking.Events;
        var created = 0;
        foreach (var open in events.Where(e => e.Operation == StorageOperation.Open && e.Path.EndsWith(".log", StringComparison.Ordinal)))
        {
            var firstWrite = events.FirstOrDefault(e => e.Sequence > open.Sequence && e.Operation == StorageOperation.Write && e.Path == open.Path);
            if (firstWrite is null || events.Any(e => e.Sequence < open.Sequence && e.Path == open.Path))
            {
                continue;
            }

            created++;
            Assert.True(events.Any(e => e.Operation == StorageOperation.SyncDirectory && e.Sequence > open.Sequence && e.Sequence < firstWrite.Sequence),
                $"{open.Path} was created at #{open.Sequence} and written at #{firstWrite.Sequence} without a directory sync in between");
        }

        Assert.True(created > 5, $"only {created} segments were created and written");
    }

    private static void AssertSynced(TrackingStorage tracking, bool beforeAck, string step)
    {
        // Removing a file already renamed to .deleted needs no sync: if it comes back after a crash, open deletes it again.
        // Under FlushPolicy.Os a roll starts a background flush whose checkpoint write may be in flight at this moment;
        // no acknowledgement depends on it (under BeforeAck the ack waits for it, so it is checked there).
        var unsynced = tracking.UnsyncedDirectoryChanges
            .Where(e => !(e.Operation == StorageOperation.Delete && e.Path.EndsWith(".deleted", StringComparison.Ordinal)))
            .Where(e => beforeAck || !Path.GetFileName(e.Destination ?? e.Path).StartsWith("partition.checkpoint", StringComparison.Ordinal))
            .ToList();
        Assert.True(unsynced.Count == 0, $"after {step}, directory changes not synced: {string.Join("; ", unsynced)}");
    }
}

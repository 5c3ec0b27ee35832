using System.Text;
using CommitLog.Storage;
using Microsoft.Extensions.Time.Testing;

namespace CommitLog.Tests.Broker;

/// <summary>Compaction through the broker: topic settings reach the logs, the background cleaner runs on its interval.</summary>
public class BrokerCompactionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly TopicConfig Compacted = new(new Dictionary<string, string>
    {
        ["cleanup.policy"] = "compact",
        ["delete.retention.ms"] = "60000",
        ["min.cleanable.dirty.ratio"] = "0.25",
        ["min.compaction.lag.ms"] = "0",
    });

    private static byte[] Keyed(params (string Key, string? Value)[] records)
    {
        using var builder = new RecordBatchBuilder();
        foreach (var (key, value) in records)
        {
            builder.Append(1_700_000_000_000, Encoding.UTF8.GetBytes(key), value is null ? null : Encoding.UTF8.GetBytes(value));
        }

        return builder.ToArray();
    }

    private static List<(long Offset, string Key, string? Value)> ReadAll(CommitLog.Broker broker, TopicPartition tp)
    {
        var result = new List<(long, string, string?)>();
        Assert.True(broker.TryGetPartitionLog(tp, out PartitionLog? log));
        for (long offset = 0; offset < log.LogEndOffset;)
        {
            using LogReadResult read = broker.Read(tp, offset, 1 << 20);
            foreach (RecordBatch batch in RecordBatch.ReadAll(read.Records))
            {
                foreach (CommitLog.Storage.Record record in batch.GetRecords())
                {
                    result.Add((record.Offset, Encoding.UTF8.GetString(record.Key!.Value.Span), record.Value is { } v ? Encoding.UTF8.GetString(v.Span) : null));
                }
            }

            offset = read.NextOffset;
        }

        return result;
    }

    private static async Task WriteOverwritesAsync(CommitLog.Broker broker, TopicPartition tp)
    {
        Assert.True(broker.TryGetPartitionLog(tp, out PartitionLog? log));
        for (int i = 0; i < 4; i++)
        {
            await broker.AppendAsync(tp, Keyed(("a", $"a{i}"), ("b", $"b{i}")), Ct);
            log.Roll();
        }
    }

    [Fact]
    public async Task CompactAsync_CompactedTopic_KeepsLatestValuePerKey()
    {
        await using var broker = CommitLog.Broker.CreateInMemory(new BrokerOptions { LogCleanerBackoff = null });
        await broker.Admin.CreateTopicAsync("state", 1, Compacted, Ct);
        var tp = new TopicPartition("state", 0);
        await WriteOverwritesAsync(broker, tp);

        IReadOnlyList<CompactionResult> results = await broker.CompactAsync("state", force: false, Ct);

        Assert.True(results[0].Cleaned, results[0].SkipReason);
        Assert.Equal([(6L, "a", "a3"), (7L, "b", "b3")], ReadAll(broker, tp));
        Assert.True(broker.TryGetPartitionLog(tp, out PartitionLog? log));
        Assert.Equal(8, log.LogEndOffset);
    }

    [Fact]
    public async Task TopicConfig_CompactSettings_ReachThePartitionLog()
    {
        await using var broker = CommitLog.Broker.CreateInMemory(new BrokerOptions { LogCleanerBackoff = null });
        await broker.Admin.CreateTopicAsync("state", 1, Compacted, Ct);
        Assert.True(broker.TryGetPartitionLog(new TopicPartition("state", 0), out PartitionLog? log));

        Assert.Equal(LogCleanupPolicy.Compact, log.Options.CleanupPolicy);
        Assert.Equal(TimeSpan.FromMinutes(1), log.Options.DeleteRetention);
        Assert.Equal(0.25, log.Options.MinCleanableDirtyRatio);
        var e = await Assert.ThrowsAsync<InvalidRecordException>(async () => await broker.AppendAsync(new TopicPartition("state", 0), Batches.Of("keyless"), Ct));
        Assert.Equal(ErrorCode.InvalidRecord, e.ErrorCode);
    }

    [Fact]
    public async Task AlterConfig_DeleteToCompact_ReopensLogsWithCompaction()
    {
        await using var broker = CommitLog.Broker.CreateInMemory(new BrokerOptions { LogCleanerBackoff = null });
        await broker.Admin.CreateTopicAsync("events", 1, cancellationToken: Ct);
        var tp = new TopicPartition("events", 0);
        await broker.AppendAsync(tp, Batches.Of("keyless is fine under delete"), Ct);
        Assert.False((await broker.CompactAsync("events", force: true, Ct))[0].Cleaned);

        await broker.Admin.AlterTopicConfigAsync("events", new TopicConfig(new Dictionary<string, string> { ["cleanup.policy"] = "compact,delete" }), Ct);

        Assert.True(broker.TryGetPartitionLog(tp, out PartitionLog? log));
        Assert.Equal(LogCleanupPolicy.Compact | LogCleanupPolicy.Delete, log.Options.CleanupPolicy);
        await Assert.ThrowsAsync<InvalidRecordException>(async () => await broker.AppendAsync(tp, Batches.Of("keyless"), Ct));
    }

    [Fact]
    public async Task BackgroundCleaner_AfterBackoff_CompactsOnlyCompactedTopics()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        await using var broker = CommitLog.Broker.CreateInMemory(new BrokerOptions { TimeProvider = time, LogCleanerBackoff = TimeSpan.FromSeconds(15) });
        await broker.Admin.CreateTopicAsync("state", 1, Compacted, Ct);
        await broker.Admin.CreateTopicAsync("events", 1, cancellationToken: Ct);
        var state = new TopicPartition("state", 0);
        var events = new TopicPartition("events", 0);
        await WriteOverwritesAsync(broker, state);
        await WriteOverwritesAsync(broker, events);

        time.Advance(TimeSpan.FromSeconds(14));
        await Task.Delay(50, Ct);
        Assert.Equal(8, ReadAll(broker, state).Count); // not yet

        time.Advance(TimeSpan.FromSeconds(1));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (ReadAll(broker, state).Count != 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, Ct);
        }

        Assert.Equal([(6L, "a", "a3"), (7L, "b", "b3")], ReadAll(broker, state));
        Assert.Equal(8, ReadAll(broker, events).Count);
    }

    [Fact]
    public void BrokerOptions_NonPositiveCleanerBackoff_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BrokerOptions { LogCleanerBackoff = TimeSpan.Zero });
        Assert.Null(new BrokerOptions { LogCleanerBackoff = null }.LogCleanerBackoff);
        Assert.Equal(TimeSpan.FromSeconds(15), BrokerOptions.Default.LogCleanerBackoff);
    }
}

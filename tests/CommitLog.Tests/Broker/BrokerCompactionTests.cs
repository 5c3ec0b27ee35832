using System.Text;
using CommitLog.Groups;
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

    [Theory]
    [MemberData(nameof(BrokerKind.All), MemberType = typeof(BrokerKind))]
    public async Task CommittedOffsets_AfterCompactionAndReopen_AreTheLatest(string kind)
    {
        using var k = BrokerKind.Create(kind);
        var options = new BrokerOptions
        {
            TimeProvider = k.Time, LogCleanerBackoff = null,
            LogOptions = new LogOptions { Storage = k.Storage, RetentionCheckInterval = null },
        };
        var orders = new TopicPartition("orders", 0);
        await using (var broker = await CommitLog.Broker.OpenAsync(k.DataDirectory, options, Ct))
        {
            await broker.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct);
            await broker.AppendAsync(orders, Batches.Of([.. Enumerable.Range(0, 40).Select(i => $"o{i}")]), Ct);
            for (int i = 1; i <= 30; i++)
            {
                await broker.GroupOffsets.CommitAsync($"g{i % 3}", GroupGeneration.None, [new(orders, i)], Ct);
                if (i % 5 == 0)
                {
                    Assert.True(broker.TryGetPartitionLog(new TopicPartition("__consumer_offsets", 0), out PartitionLog? offsetsLog));
                    offsetsLog.Roll();
                }
            }

            IReadOnlyList<CompactionResult> results = await broker.CompactAsync("__consumer_offsets", force: false, Ct);
            Assert.True(results[0].Cleaned, results[0].SkipReason);
            Assert.Equal(27, results[0].RecordsRemoved); // 30 commits of 3 group/partition keys
        }

        await using var reopened = await CommitLog.Broker.OpenAsync(k.DataDirectory, options, Ct);
        Assert.Equal([30L, 28L, 29L], new[] { "g0", "g1", "g2" }.Select(g => reopened.GroupOffsets.Fetch(g)[orders].Offset));
    }

    [Fact]
    public void BrokerOptions_NonPositiveCleanerBackoff_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BrokerOptions { LogCleanerBackoff = TimeSpan.Zero });
        Assert.Null(new BrokerOptions { LogCleanerBackoff = null }.LogCleanerBackoff);
        Assert.Equal(TimeSpan.FromSeconds(15), BrokerOptions.Default.LogCleanerBackoff);
    }
}

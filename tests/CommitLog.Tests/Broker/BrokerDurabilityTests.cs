using CommitLog.Storage;
using CommitLog.Storage.IO;
using CommitLog.TestKit;

namespace CommitLog.Tests.Broker;

public class BrokerDurabilityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(BrokerKind.All), MemberType = typeof(BrokerKind))]
    public async Task Reopen_AfterChanges_RestoresTopicsConfigsAndData(string kind)
    {
        using var k = BrokerKind.Create(kind);
        Guid ordersId;
        await using (var broker = await k.OpenAsync())
        {
            await broker.Admin.CreateTopicAsync("orders", 2, new TopicConfig { RetentionMs = null, MaxMessageBytes = 5000 }, Ct);
            await broker.Admin.CreateTopicAsync("gone", 1, cancellationToken: Ct);
            await broker.Admin.CreateTopicAsync("audit", 1, cancellationToken: Ct);
            await broker.Admin.CreatePartitionsAsync("orders", 3, Ct);
            await broker.Admin.AlterTopicConfigAsync("audit", new TopicConfig { FlushPolicy = FlushPolicy.Every(100, TimeSpan.FromSeconds(2)) }, Ct);
            await broker.Admin.DeleteTopicAsync("gone", Ct);
            await broker.AppendAsync(new TopicPartition("orders", 2), Batches.Of("a", "b", "c"), Ct);
            ordersId = (await broker.Admin.DescribeTopicAsync("orders", Ct)).TopicId;
        }

        await using var reopened = await k.OpenAsync();

        Assert.Equal(["audit", "orders"], await reopened.Admin.ListTopicsAsync(Ct));
        TopicDescription orders = await reopened.Admin.DescribeTopicAsync("orders", Ct);
        Assert.Equal(ordersId, orders.TopicId);
        Assert.Equal([0L, 0L, 3L], orders.Partitions.Select(p => p.LogEndOffset));
        Assert.Null(orders.Config.RetentionMs);
        Assert.Equal(5000, orders.Config.MaxMessageBytes);
        TopicConfig audit = reopened.GetTopicConfig("audit");
        Assert.Equal((100L, TimeSpan.FromSeconds(2)), (audit.FlushMessages, audit.FlushMs));
        Assert.Empty(reopened.OrphanedDirectories);
    }

    [Fact]
    public async Task Open_SameDirectoryTwice_ThrowsLogDirectoryLocked()
    {
        using var k = BrokerKind.Create("disk");
        await using var first = await k.OpenAsync();

        await Assert.ThrowsAsync<LogDirectoryLockedException>(async () => await k.OpenAsync());

        await first.DisposeAsync();
        await using var second = await k.OpenAsync();
        Assert.Empty(await second.Admin.ListTopicsAsync(Ct));
    }

    [Fact]
    public async Task Open_DamagedMetadata_ThrowsCorruptRecordNamingTheFile()
    {
        using var k = BrokerKind.Create("simulated");
        var disk = (SimulatedStorage)k.Storage!;
        await using (var broker = await k.OpenAsync())
        {
            await broker.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct);
        }

        string metadata = Path.Combine(k.DataDirectory, TopicMetadataFile.FileName);
        disk.FlipBit(metadata, 8 * 20 + 3);

        var e = await Assert.ThrowsAsync<CorruptRecordException>(async () => await k.OpenAsync());
        Assert.Contains(metadata, e.Message, StringComparison.Ordinal);
        Assert.Contains("CRC-32C", e.Message, StringComparison.Ordinal);

        // The failed open released the lock: fixing the file makes the directory usable again.
        disk.FlipBit(metadata, 8 * 20 + 3);
        await using var repaired = await k.OpenAsync();
        Assert.Equal(["orders"], await repaired.Admin.ListTopicsAsync(Ct));
    }

    [Theory]
    [InlineData("disk")]
    [InlineData("memory")]
    public async Task Open_PartitionDirectoryWithoutTopic_IsReportedAndLeftAlone(string kind)
    {
        using var k = BrokerKind.Create(kind);
        ISegmentStorage storage = k.Storage ?? FileSegmentStorage.Instance;
        await using (var broker = await k.OpenAsync())
        {
            await broker.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct);
        }

        string stray = Path.Combine(k.DataDirectory, "stray-0");
        storage.CreateDirectory(stray);
        storage.CreateDirectory(Path.Combine(k.DataDirectory, "orders-1"));

        await using var reopened = await k.OpenAsync();

        Assert.Equal([Path.Combine(k.DataDirectory, "orders-1"), stray], reopened.OrphanedDirectories.Order(StringComparer.Ordinal));
        Assert.True(storage.DirectoryExists(stray));
        Assert.Equal(["orders"], await reopened.Admin.ListTopicsAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(BrokerKind.All), MemberType = typeof(BrokerKind))]
    public async Task Open_MetadataWithoutPartitionDirectory_CreatesIt(string kind)
    {
        using var k = BrokerKind.Create(kind);
        ISegmentStorage storage = k.Storage ?? FileSegmentStorage.Instance;
        TopicMetadataFile.Write(storage.CreateDirectoryAnd(k.DataDirectory), k.DataDirectory,
            [new TopicRecord("orders", Guid.NewGuid(), 2, Deleting: false, [])]);

        await using var broker = await k.OpenAsync();

        Assert.Equal(2, broker.GetPartitionCount("orders"));
        Assert.True(storage.DirectoryExists(Path.Combine(k.DataDirectory, "orders-1")));
        AppendResult appended = await broker.AppendAsync(new TopicPartition("orders", 1), Batches.Of("a"), Ct);
        Assert.Equal(0, appended.FirstOffset);
    }

    [Theory]
    [MemberData(nameof(BrokerKind.All), MemberType = typeof(BrokerKind))]
    public async Task Open_TopicMarkedDeleting_FinishesTheDeletion(string kind)
    {
        using var k = BrokerKind.Create(kind);
        ISegmentStorage storage = k.Storage ?? FileSegmentStorage.Instance;
        TopicRecord record;
        await using (var broker = await k.OpenAsync())
        {
            await broker.Admin.CreateTopicAsync("orders", 2, cancellationToken: Ct);
            await broker.AppendAsync(new TopicPartition("orders", 0), Batches.Of("a"), Ct);
            record = new TopicRecord("orders", (await broker.Admin.DescribeTopicAsync("orders", Ct)).TopicId, 2, Deleting: true, []);
        }

        TopicMetadataFile.Write(storage, k.DataDirectory, [record]);

        await using (var reopened = await k.OpenAsync())
        {
            Assert.Empty(await reopened.Admin.ListTopicsAsync(Ct));
            string partition0 = Path.Combine(k.DataDirectory, "orders-0");
            Assert.True(!storage.DirectoryExists(partition0) || storage.ListFiles(partition0).Count == 0);
            Assert.Empty(TopicMetadataFile.Read(storage, k.DataDirectory));
            await reopened.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct);
            Assert.Equal(0, (await reopened.Admin.DescribeTopicAsync("orders", Ct)).Partitions[0].LogEndOffset);
        }
    }
}

internal static class StorageExtensions
{
    public static ISegmentStorage CreateDirectoryAnd(this ISegmentStorage storage, string directory)
    {
        storage.CreateDirectory(directory);
        return storage;
    }
}

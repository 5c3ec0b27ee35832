namespace CommitLog.Storage.Tests.Compaction;

/// <summary>Compaction settings: validation, keyless records on a compacted log, retention by cleanup policy.</summary>
public class CompactionSettingsTests
{
    private static (string, string?) R(string key, string? value) => (key, value);

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Lz4)]
    public async Task Append_KeylessRecordToCompactedLog_ThrowsInvalidRecordAndAppendsNothing(CompressionType compression)
    {
        await using var c = new CompactedLog();
        await c.AppendAsync(R("a", "1"));
        using var builder = new RecordBatchBuilder(compression);
        builder.Append(1, "k"u8.ToArray(), "v"u8.ToArray());
        builder.Append(2, null, "no key"u8.ToArray());

        var e = await Assert.ThrowsAsync<InvalidRecordException>(
            async () => await c.Log.AppendAsync(builder.ToArray(), TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCode.InvalidRecord, e.ErrorCode);
        Assert.Contains("without a key", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, c.Log.LogEndOffset);
        Assert.Equal(c.Written, c.ReadAll());
    }

    [Fact]
    public async Task Append_KeylessRecordToDeleteLog_IsAccepted()
    {
        await using var c = new CompactedLog(o => new LogOptions { Storage = o.Storage, TimeProvider = o.TimeProvider, RetentionCheckInterval = null });
        using var builder = new RecordBatchBuilder();
        builder.Append(2, null, "no key"u8.ToArray());
        var result = await c.Log.AppendAsync(builder.ToArray(), TestContext.Current.CancellationToken);
        Assert.Equal(0, result.FirstOffset);
        Assert.False((await c.Log.CompactAsync(true, TestContext.Current.CancellationToken)).Cleaned);
    }

    [Fact]
    public async Task Retention_CompactOnlyLog_KeepsOldSegments()
    {
        await using var c = new CompactedLog(o => new LogOptions
        {
            Storage = o.Storage, CleanupPolicy = LogCleanupPolicy.Compact, TimeProvider = o.TimeProvider, RetentionCheckInterval = null,
            RetentionMs = TimeSpan.FromMinutes(1), RetentionBytes = 1,
        });
        await c.AppendAsync(R("a", "1"));
        c.Log.Roll();
        c.Time.Advance(TimeSpan.FromHours(1));
        await c.AppendAsync(R("b", "1"));

        Assert.Equal(0, c.Log.EnforceRetention());
        Assert.Equal(c.Written, c.ReadAll());
    }

    [Fact]
    public async Task Retention_CompactAndDeleteLog_DeletesExpiredSegments()
    {
        await using var c = new CompactedLog(o => new LogOptions
        {
            Storage = o.Storage, CleanupPolicy = LogCleanupPolicy.Compact | LogCleanupPolicy.Delete, TimeProvider = o.TimeProvider,
            RetentionCheckInterval = null, RetentionMs = TimeSpan.FromMinutes(1),
        });
        await c.AppendAsync(R("a", "1"));
        c.Log.Roll();
        c.Time.Advance(TimeSpan.FromHours(1));
        await c.AppendAsync(R("b", "1"));

        Assert.Equal(1, c.Log.EnforceRetention());
        Assert.Equal(1, c.Log.LogStartOffset);
    }

    [Fact]
    public void Options_CompactionSettingsOutOfRange_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogOptions { MinCleanableDirtyRatio = 1.5 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogOptions { MinCleanableDirtyRatio = double.NaN });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogOptions { DeleteRetention = TimeSpan.FromSeconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogOptions { MinCompactionLag = TimeSpan.FromSeconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogOptions { CleanupPolicy = 0 });
    }
}

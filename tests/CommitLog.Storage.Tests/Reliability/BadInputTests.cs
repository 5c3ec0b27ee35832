using System.Buffers.Binary;
using CommitLog.Storage.Tests.Log;
using CommitLog.TestKit;

namespace CommitLog.Storage.Tests.Reliability;

/// <summary>
/// R13: bad input to every public member of the log and its option, policy, batch and result types. Each case must
/// throw a clear exception whose message names the problem and what is allowed, change nothing, and leave a log that
/// reopens and reads back exactly what was appended before.
/// </summary>
public class BadInputTests
{
    private const string Directory = "/data/bad-input-0";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> BadBuffers => new()
    {
        "empty", "default", "1 byte", "12 bytes", "header only", "cut in the records", "garbage", "bad CRC", "bad magic",
        "batchLength too small", "recordsCount above lastOffsetDelta + 1", "recordsCount below lastOffsetDelta + 1",
        "recordsCount disagrees with the records section", "valid batch then a cut one", "valid batch then garbage",
    };

    [Theory]
    [MemberData(nameof(BadBuffers))]
    public async Task AppendAsync_MalformedBuffer_ThrowsNamingTheProblemAndAppendsNothing(string kind)
    {
        await using var fixture = await BadInputLog.CreateAsync(Ct);
        var good = TestBatches.Make(3, 100, 20);
        var (buffer, expected, words) = MalformedBuffer(kind, good);
        var e = await Assert.ThrowsAnyAsync<Exception>(async () => await fixture.Log.AppendAsync(buffer, Ct));
        Assert.IsType(expected, e);
        foreach (var word in words)
        {
            Assert.Contains(word, e.Message, StringComparison.OrdinalIgnoreCase);
        }

        await fixture.VerifyUnchangedAndReopenAsync(Ct);
    }

    private static (byte[] Buffer, Type Expected, string[] Words) MalformedBuffer(string kind, byte[] good)
    {
        var batch = (byte[])good.Clone();
        switch (kind)
        {
            case "empty": return ([], typeof(ArgumentException), ["no record batch", "at least one"]);
            case "default": return (default(Memory<byte>).ToArray(), typeof(ArgumentException), ["no record batch"]);
            case "1 byte": return (batch[..1], typeof(CorruptRecordException), ["truncated", "Nothing was appended"]);
            case "12 bytes": return (batch[..12], typeof(CorruptRecordException), ["truncated", "batchLength"]);
            case "header only": return (batch[..RecordBatchHeader.Size], typeof(CorruptRecordException), ["truncated", "bytes"]);
            case "cut in the records": return (batch[..^3], typeof(CorruptRecordException), ["truncated", "only"]);
            case "garbage":
                new Random(7).NextBytes(batch);
                BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.BatchLengthOffset), batch.Length - RecordBatchHeader.LogOverhead);
                return (batch, typeof(CorruptRecordException), ["invalid", "Nothing was appended"]);
            case "bad CRC":
                batch[^1] ^= 0x40;
                return (batch, typeof(CorruptRecordException), ["CRC-32C", "stored", "computed"]);
            case "bad magic":
                batch[RecordBatchHeader.MagicOffset] = 1;
                return (batch, typeof(CorruptRecordException), ["magic 1", "only magic 2"]);
            case "batchLength too small":
                BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.BatchLengthOffset), 10);
                return (batch, typeof(CorruptRecordException), ["batchLength 10", "allowed"]);
            case "recordsCount above lastOffsetDelta + 1":
                return (WithRecordsCount(batch, 4), typeof(CorruptRecordException), ["recordsCount 4", "lastOffsetDelta 2"]);
            case "recordsCount below lastOffsetDelta + 1":
                return (WithRecordsCount(batch, 2), typeof(CorruptRecordException), ["2 records", "lastOffsetDelta 2", "recordsCount = lastOffsetDelta + 1"]);
            case "recordsCount disagrees with the records section":
                // Header consistent (2 records, lastOffsetDelta 1, valid CRC), but the section holds 3 records.
                BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.LastOffsetDeltaOffset), 1);
                return (WithRecordsCount(batch, 2), typeof(CorruptRecordException), ["recordsCount", "records"]);
            case "valid batch then a cut one": return ([.. good, .. good[..40]], typeof(CorruptRecordException), ["Batch 1", "truncated"]);
            default:
                var junk = new byte[80];
                new Random(3).NextBytes(junk);
                BinaryPrimitives.WriteInt32BigEndian(junk.AsSpan(RecordBatchHeader.BatchLengthOffset), junk.Length - RecordBatchHeader.LogOverhead);
                return ([.. good, .. junk], typeof(CorruptRecordException), ["Batch 1", "Nothing was appended"]);
        }
    }

    private static byte[] WithRecordsCount(byte[] batch, int count)
    {
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.RecordsCountOffset), count);
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatchHeader.CrcOffset), RecordBatchHeader.ComputeCrc(batch));
        return batch;
    }

    [Fact]
    public async Task AppendAsync_BatchOverMaxMessageBytes_ThrowsRecordTooLargeWithBothSizes()
    {
        await using var fixture = await BadInputLog.CreateAsync(Ct);
        var big = TestBatches.Make(1, 500, valueSize: BadInputLog.MaxMessageBytes);
        var e = await Assert.ThrowsAsync<RecordTooLargeException>(async () => await fixture.Log.AppendAsync(big, Ct));
        Assert.Equal((big.Length, BadInputLog.MaxMessageBytes), ((int)e.Size, (int)e.MaxMessageBytes));
        Assert.Contains($"{big.Length} bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains($"max.message.bytes ({BadInputLog.MaxMessageBytes} bytes)", e.Message, StringComparison.Ordinal);

        // One good batch before the oversized one: the whole buffer is refused.
        byte[] mixed = [.. TestBatches.Make(1, 501), .. big];
        await Assert.ThrowsAsync<RecordTooLargeException>(async () => await fixture.Log.AppendAsync(mixed, Ct));
        await fixture.VerifyUnchangedAndReopenAsync(Ct);
    }

    [Fact]
    public async Task ReadAndReadAsync_OutOfRangeArguments_ThrowNamingTheRange()
    {
        await using var fixture = await BadInputLog.CreateAsync(Ct);
        var log = fixture.Log;
        foreach (var offset in new[] { -1L, long.MinValue, log.LogStartOffset - 1, log.LogEndOffset + 1, long.MaxValue })
        {
            var e = Assert.Throws<OffsetOutOfRangeException>(() => log.Read(offset, 100));
            Assert.Equal((offset, log.LogStartOffset, log.LogEndOffset), (e.Offset, e.LogStartOffset, e.LogEndOffset));
            Assert.Contains($"Offset {offset} is out of range", e.Message, StringComparison.Ordinal);
            Assert.Contains($"from {log.LogStartOffset} (log start) up to {log.LogEndOffset}", e.Message, StringComparison.Ordinal);
            var async = await Assert.ThrowsAsync<OffsetOutOfRangeException>(async () => await log.ReadAsync(offset, 100, 0, TimeSpan.Zero, Ct));
            Assert.Equal(e.Message, async.Message);
        }

        foreach (var maxBytes in new[] { 0, -1, int.MinValue })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => log.Read(log.LogStartOffset, maxBytes));
            Assert.Equal("maxBytes", e.ParamName);
            Assert.Contains("non-zero", e.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await log.ReadAsync(log.LogStartOffset, maxBytes, 0, TimeSpan.Zero, Ct));
        }

        var minBytes = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await log.ReadAsync(0, 100, -1, TimeSpan.Zero, Ct));
        Assert.Equal("minBytes", minBytes.ParamName);
        Assert.Contains("non-negative", minBytes.Message, StringComparison.Ordinal);
        var maxWait = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await log.ReadAsync(0, 100, 1, TimeSpan.FromMilliseconds(-1), Ct));
        Assert.Equal("maxWait", maxWait.ParamName);
        Assert.Contains("greater than or equal to '00:00:00'", maxWait.Message, StringComparison.Ordinal);
        await fixture.VerifyUnchangedAndReopenAsync(Ct);
    }

    [Fact]
    public async Task TruncateDeleteAndEpoch_OutOfRangeArguments_ThrowAndChangeNothing()
    {
        await using var fixture = await BadInputLog.CreateAsync(Ct);
        var log = fixture.Log;
        var truncate = Assert.Throws<ArgumentOutOfRangeException>(() => log.TruncateTo(log.LogStartOffset - 1));
        Assert.Contains($"below the log start offset {log.LogStartOffset}", truncate.Message, StringComparison.Ordinal);
        Assert.Contains($"offsets {log.LogStartOffset} to {log.LogEndOffset - 1}", truncate.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => log.TruncateTo(-1));
        foreach (var offset in new[] { log.HighWatermark + 1, long.MaxValue, -1L })
        {
            var e = Assert.Throws<OffsetOutOfRangeException>(() => log.DeleteRecordsBefore(offset));
            Assert.Contains($"Offset {offset} is out of range", e.Message, StringComparison.Ordinal);
            Assert.Contains($"up to {log.HighWatermark}", e.Message, StringComparison.Ordinal);
        }

        var epoch = Assert.Throws<ArgumentOutOfRangeException>(() => log.SetLeaderEpoch(BadInputLog.Epoch - 1));
        Assert.Equal("epoch", epoch.ParamName);
        Assert.Contains($"greater than or equal to '{BadInputLog.Epoch}'", epoch.Message, StringComparison.Ordinal);
        Assert.Equal(BadInputLog.Epoch, log.LeaderEpoch);
        await fixture.VerifyUnchangedAndReopenAsync(Ct);
    }

    [Fact]
    public async Task EveryMember_AfterDispose_ThrowsObjectDisposed()
    {
        await using var fixture = await BadInputLog.CreateAsync(Ct);
        var log = fixture.Log;
        var before = log.LogEndOffset;
        await log.DisposeAsync();
        log.Dispose(); // a second close is harmless
        var calls = new (string Name, Func<Task> Call)[]
        {
            ("AppendAsync", async () => await log.AppendAsync(TestBatches.Make(1, 900), Ct)),
            ("Read", () => { log.Read(0, 100).Dispose(); return Task.CompletedTask; }),
            ("ReadAsync", async () => (await log.ReadAsync(0, 100, 1, TimeSpan.FromSeconds(5), Ct)).Dispose()),
            ("FlushAsync", async () => await log.FlushAsync(Ct)),
            ("Roll", () => { log.Roll(); return Task.CompletedTask; }),
            ("EnforceRetention", () => Task.FromResult(log.EnforceRetention())),
            ("DeleteRecordsBefore", () => { log.DeleteRecordsBefore(1); return Task.CompletedTask; }),
            ("TruncateTo", () => { log.TruncateTo(1); return Task.CompletedTask; }),
            ("OffsetForTimestamp", () => Task.FromResult(log.OffsetForTimestamp(0))),
            ("SetLeaderEpoch", () => { log.SetLeaderEpoch(BadInputLog.Epoch + 1); return Task.CompletedTask; }),
            ("EndOffsetForEpoch", () => Task.FromResult(log.EndOffsetForEpoch(BadInputLog.Epoch))),
            ("GetLeaderEpochs", () => Task.FromResult(log.GetLeaderEpochs())),
        };

        foreach (var (name, call) in calls)
        {
            var e = await Assert.ThrowsAsync<ObjectDisposedException>(call);
            Assert.True(e.ObjectName.EndsWith(nameof(PartitionLog), StringComparison.Ordinal) && e.Message.Contains("disposed", StringComparison.Ordinal),
                $"{name}: {e.Message}");
        }

        Assert.Equal(before, log.LogEndOffset);
        await fixture.VerifyUnchangedAndReopenAsync(Ct);
    }

    [Fact]
    public async Task Open_SecondInstanceOrBadDirectory_IsRefusedAndFirstKeepsWorking()
    {
        await using var fixture = await BadInputLog.CreateAsync(Ct);
        var e = Assert.Throws<LogDirectoryLockedException>(() => PartitionLog.Open(Directory, fixture.Options()));
        Assert.Equal(ErrorCode.LogDirectoryLocked, e.ErrorCode);
        Assert.Contains(Directory, e.Message, StringComparison.Ordinal);
        Assert.Contains("already open", e.Message, StringComparison.Ordinal);
        Assert.Contains("only one writer", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => PartitionLog.Open(null!, fixture.Options()));
        foreach (var bad in new[] { "", "   " })
        {
            var arg = Assert.Throws<ArgumentException>(() => PartitionLog.Open(bad, fixture.Options()));
            Assert.Equal("directory", arg.ParamName);
        }

        await fixture.VerifyUnchangedAndReopenAsync(Ct);
    }

    public static TheoryData<string, string[]> BadOptions => new()
    {
        { "SegmentBytes=1023", ["SegmentBytes (segment.bytes)", "1024"] },
        { "SegmentBytes=2^31", ["SegmentBytes (segment.bytes)", "2147483647"] },
        { "SegmentMs=0", ["SegmentMs (segment.ms)", "greater than"] },
        { "RetentionMs=0", ["retention.ms must be positive", "null"] },
        { "RetentionMs=-1ms", ["retention.ms must be positive", "null"] },
        { "RetentionBytes=-2", ["RetentionBytes (retention.bytes, -1 for no limit)", "-1"] },
        { "MaxMessageBytes=60", ["MaxMessageBytes (max.message.bytes)", "61"] },
        { "IndexIntervalBytes=-1", ["IndexIntervalBytes (index.interval.bytes)", "non-negative"] },
        { "FlushPolicy=null", ["FlushPolicy"] },
        { "TimestampType=7", ["message.timestamp.type", "CreateTime or LogAppendTime"] },
        { "RecoveryMode=2", ["RecoveryMode", "Strict or Salvage"] },
        { "CheckpointInterval=0", ["CheckpointInterval", "greater than"] },
        { "RetentionCheckInterval=-1s", ["retention check interval must be positive", "null"] },
        { "TimeProvider=null", ["TimeProvider"] },
        { "LoggerFactory=null", ["LoggerFactory"] },
        { "Every(messages: 0)", ["messages", "greater than or equal to '1'"] },
        { "Every(interval: 0)", ["flush.ms must be positive", "null"] },
        { "Every(interval: -1s)", ["flush.ms must be positive", "null"] },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task Options_InvalidValue_ThrowsNamingSettingAndAllowedRange(string setting, string[] words)
    {
        await using var fixture = await BadInputLog.CreateAsync(Ct);
        Func<object> create = setting switch
        {
            "SegmentBytes=1023" => () => new LogOptions { SegmentBytes = 1023 },
            "SegmentBytes=2^31" => () => new LogOptions { SegmentBytes = 1L << 31 },
            "SegmentMs=0" => () => new LogOptions { SegmentMs = TimeSpan.Zero },
            "RetentionMs=0" => () => new LogOptions { RetentionMs = TimeSpan.Zero },
            "RetentionMs=-1ms" => () => new LogOptions { RetentionMs = TimeSpan.FromMilliseconds(-1) },
            "RetentionBytes=-2" => () => new LogOptions { RetentionBytes = -2 },
            "MaxMessageBytes=60" => () => new LogOptions { MaxMessageBytes = 60 },
            "IndexIntervalBytes=-1" => () => new LogOptions { IndexIntervalBytes = -1 },
            "FlushPolicy=null" => () => new LogOptions { FlushPolicy = null! },
            "TimestampType=7" => () => new LogOptions { TimestampType = (TimestampType)7 },
            "RecoveryMode=2" => () => new LogOptions { RecoveryMode = (RecoveryMode)2 },
            "CheckpointInterval=0" => () => new LogOptions { CheckpointInterval = TimeSpan.Zero },
            "RetentionCheckInterval=-1s" => () => new LogOptions { RetentionCheckInterval = TimeSpan.FromSeconds(-1) },
            "TimeProvider=null" => () => new LogOptions { TimeProvider = null! },
            "LoggerFactory=null" => () => new LogOptions { LoggerFactory = null! },
            "Every(messages: 0)" => () => FlushPolicy.Every(messages: 0),
            "Every(interval: 0)" => () => FlushPolicy.Every(100, TimeSpan.Zero),
            _ => () => FlushPolicy.Every(100, TimeSpan.FromSeconds(-1)),
        };

        var e = Assert.ThrowsAny<ArgumentException>(create);
        foreach (var word in words)
        {
            Assert.Contains(word, e.Message, StringComparison.Ordinal);
        }

        await fixture.VerifyUnchangedAndReopenAsync(Ct);
    }

    [Fact]
    public void RecordBatchBuilder_BadInput_ThrowsNamingTheRule()
    {
        Assert.Contains("Snappy", Assert.Throws<NotSupportedException>(() => new RecordBatchBuilder(CompressionType.Snappy)).Message, StringComparison.Ordinal);
        using var builder = new RecordBatchBuilder();
        Assert.Contains("Zstd", Assert.Throws<NotSupportedException>(() => builder.Compression = CompressionType.Zstd).Message, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => builder.Compression = (CompressionType)9);
        Assert.Contains("CreateTime or LogAppendTime",
            Assert.Throws<ArgumentOutOfRangeException>(() => builder.TimestampType = (TimestampType)3).Message, StringComparison.Ordinal);
        Assert.Contains("no records", Assert.Throws<InvalidOperationException>(() => builder.Build()).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => builder.WriteTo(null!));
        builder.BaseOffset = 10;
        Assert.Contains("greater than 9", Assert.Throws<ArgumentOutOfRangeException>(() => builder.AppendWithOffset(9, 0, null, null)).Message, StringComparison.Ordinal);
        builder.AppendWithOffset(12, 0, null, null);
        Assert.Contains("greater than 12", Assert.Throws<ArgumentOutOfRangeException>(() => builder.AppendWithOffset(12, 0, null, null)).Message, StringComparison.Ordinal);
        Assert.Contains("BaseOffset + int.MaxValue",
            Assert.Throws<ArgumentOutOfRangeException>(() => builder.AppendWithOffset(10 + (long)int.MaxValue + 1, 0, null, null)).Message, StringComparison.Ordinal);
        Assert.Contains("before the first record", Assert.Throws<InvalidOperationException>(() => builder.BaseTimestamp = 5).Message, StringComparison.Ordinal);
        Assert.Contains("header key must not be null",
            Assert.Throws<ArgumentException>(() => builder.Append(0, null, null, [new RecordHeader(null!, (byte[]?)null)])).Message, StringComparison.Ordinal);
        Assert.Equal(1, builder.Count); // the refused appends added nothing
        builder.Dispose();
        Assert.Throws<ObjectDisposedException>(() => builder.Append(0, null, null));
        Assert.Throws<ObjectDisposedException>(() => builder.Build());
        Assert.Throws<ObjectDisposedException>(() => builder.Reset());
    }

    [Fact]
    public async Task RecordBatchAndReadResult_BadInput_ThrowNamingTheProblem()
    {
        var good = TestBatches.Make(3, 0, 20);
        Assert.Contains("truncated", Assert.Throws<CorruptRecordException>(() => new RecordBatch(good.AsMemory(0, 30))).Message, StringComparison.Ordinal);
        Assert.Contains("must match", Assert.Throws<CorruptRecordException>(() => new RecordBatch(good.AsMemory(0, good.Length - 1))).Message, StringComparison.Ordinal);
        Assert.Throws<CorruptRecordException>(() => new RecordBatch(ReadOnlyMemory<byte>.Empty));
        var flipped = (byte[])good.Clone();
        flipped[^2] ^= 1;
        Assert.Contains("CRC-32C", Assert.Throws<CorruptRecordException>(() => new RecordBatch(flipped).Validate()).Message, StringComparison.Ordinal);
        Assert.False(new RecordBatch(flipped).IsCrcValid);
        Assert.Equal("maxDecompressedBytes", Assert.Throws<ArgumentOutOfRangeException>(() => new RecordBatch(good).GetRecords(-1)).ParamName);
        var compressed = TestBatches.Make(50, 0, 400, compression: CompressionType.Gzip);
        Assert.Contains("more than the allowed 100 bytes",
            Assert.Throws<CorruptRecordException>(() => new RecordBatch(compressed).GetRecords(100)).Message, StringComparison.Ordinal);
        var miscounted = WithRecordsCount((byte[])good.Clone(), 2);
        Assert.Contains("recordsCount", Assert.Throws<CorruptRecordException>(() => new RecordBatch(miscounted).ToList()).Message, StringComparison.Ordinal);
        byte[] withGarbage = [.. good, .. new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5 }];
        Assert.Contains("batchLength 5", Assert.Throws<CorruptRecordException>(() => RecordBatch.ReadAll(withGarbage).ToList()).Message, StringComparison.Ordinal);

        var storage = new SimulatedStorage();
        await using var log = PartitionLog.Open(Directory, BadInputLog.OptionsFor(storage));
        await log.AppendAsync(good, Ct);
        var read = log.Read(0, 1000);
        Assert.False(read.IsEmpty);
        read.Dispose();
        read.Dispose();
        Assert.Throws<ObjectDisposedException>(() => read.Records);
    }
}

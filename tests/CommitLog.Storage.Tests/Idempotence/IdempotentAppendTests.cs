using CommitLog.TestKit;
using static CommitLog.Storage.Tests.Idempotence.ProducerBatches;

namespace CommitLog.Storage.Tests.Idempotence;

/// <summary>R9: the append-time rules of the idempotent producer (duplicates, sequence gaps, epochs).</summary>
public class IdempotentAppendTests
{
    private const long Pid = 1000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static PartitionLog Open(SimulatedStorage? storage = null, Func<LogOptions, LogOptions>? tweak = null)
    {
        var options = Options(storage ?? new SimulatedStorage(), Clock());
        return PartitionLog.Open("/data/idem-0", tweak?.Invoke(options) ?? options);
    }

    [Fact]
    public async Task Retry_OfLastBatch_ReturnsOriginalOffsetsAndAppendsNothing()
    {
        await using var log = Open();
        await log.AppendAsync(Make(Pid, 0, 0), Ct);
        var original = await log.AppendAsync(Make(Pid, 0, 3), Ct);
        var size = log.Size;

        var retry = await log.AppendAsync(Make(Pid, 0, 3), Ct);

        Assert.True(retry.IsDuplicate);
        Assert.False(original.IsDuplicate);
        Assert.Equal((original.FirstOffset, original.LastOffset), (retry.FirstOffset, retry.LastOffset));
        Assert.Equal(6, log.LogEndOffset);
        Assert.Equal(size, log.Size);
        Assert.Equal([0, 1, 2, 3, 4, 5], ReadAll(log).Select(r => r.Sequence));
    }

    [Fact]
    public async Task Retry_OfEachOfTheLastFiveBatches_IsDeduplicated()
    {
        await using var log = Open();
        var results = new List<AppendResult>();
        for (var i = 0; i < 8; i++)
        {
            results.Add(await log.AppendAsync(Make(Pid, 0, i * 2, records: 2), Ct));
        }

        for (var i = 3; i < 8; i++)
        {
            var retry = await log.AppendAsync(Make(Pid, 0, i * 2, records: 2), Ct);
            Assert.True(retry.IsDuplicate, $"batch {i}");
            Assert.Equal((results[i].FirstOffset, results[i].LastOffset), (retry.FirstOffset, retry.LastOffset));
        }

        Assert.Equal(16, log.LogEndOffset);
    }

    [Fact]
    public async Task Retry_OfTheSixthNewestBatch_IsOutOfOrderAsInKafka()
    {
        // Kafka remembers 5 batches per producer; an older retry is neither a known duplicate nor the next sequence.
        await using var log = Open();
        for (var i = 0; i < 6; i++)
        {
            await log.AppendAsync(Make(Pid, 0, i * 2, records: 2), Ct);
        }

        var error = await Assert.ThrowsAsync<OutOfOrderSequenceException>(async () => await log.AppendAsync(Make(Pid, 0, 0, records: 2), Ct));

        Assert.Equal((12, 0), (error.ExpectedSequence, error.ReceivedSequence));
        Assert.Equal(12, log.LogEndOffset);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(2)]
    public async Task Append_WithSequenceGapOrOverlap_ThrowsOutOfOrderAndLeavesLogUnchanged(int sequence)
    {
        await using var log = Open();
        await log.AppendAsync(Make(Pid, 0, 0, records: 5), Ct);
        var (end, size) = (log.LogEndOffset, log.Size);

        var error = await Assert.ThrowsAsync<OutOfOrderSequenceException>(async () => await log.AppendAsync(Make(Pid, 0, sequence), Ct));

        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, error.ErrorCode);
        Assert.Equal((5, sequence), (error.ExpectedSequence, error.ReceivedSequence));
        Assert.Contains("expected 5", error.Message, StringComparison.Ordinal);
        Assert.Equal((end, size), (log.LogEndOffset, log.Size));
        Assert.False((await log.AppendAsync(Make(Pid, 0, 5), Ct)).IsDuplicate);
    }

    [Fact]
    public async Task Append_WithOlderEpoch_IsFencedAndLeavesLogUnchanged()
    {
        await using var log = Open();
        await log.AppendAsync(Make(Pid, 3, 0), Ct);
        var (end, size) = (log.LogEndOffset, log.Size);

        var error = await Assert.ThrowsAsync<ProducerFencedException>(async () => await log.AppendAsync(Make(Pid, 2, 3), Ct));

        Assert.Equal(ErrorCode.InvalidProducerEpoch, error.ErrorCode);
        Assert.Equal(47, (int)error.ErrorCode);
        Assert.Equal(((short)2, (short)3), (error.ProducerEpoch, error.CurrentEpoch));
        Assert.Contains("epoch 2", error.Message, StringComparison.Ordinal);
        Assert.Equal((end, size), (log.LogEndOffset, log.Size));
    }

    [Fact]
    public async Task Append_WithNewerEpoch_ResetsSequenceToZeroAndFencesTheOldEpoch()
    {
        await using var log = Open();
        await log.AppendAsync(Make(Pid, 0, 0), Ct);
        await log.AppendAsync(Make(Pid, 0, 3), Ct);

        var notZero = await Assert.ThrowsAsync<OutOfOrderSequenceException>(async () => await log.AppendAsync(Make(Pid, 1, 6), Ct));
        Assert.Equal(0, notZero.ExpectedSequence);
        var bumped = await log.AppendAsync(Make(Pid, 1, 0), Ct);

        Assert.False(bumped.IsDuplicate);
        Assert.Equal(6, bumped.FirstOffset);
        await Assert.ThrowsAsync<ProducerFencedException>(async () => await log.AppendAsync(Make(Pid, 0, 3), Ct));
        await Assert.ThrowsAsync<ProducerFencedException>(async () => await log.AppendAsync(Make(Pid, 0, 6), Ct));
        Assert.True((await log.AppendAsync(Make(Pid, 1, 0), Ct)).IsDuplicate);
        Assert.Equal(9, log.LogEndOffset);
    }

    [Fact]
    public async Task Append_FromUnknownProducer_AcceptsAnySequence()
    {
        await using var log = Open();
        var first = await log.AppendAsync(Make(Pid, 4, 12345), Ct);
        var other = await log.AppendAsync(Make(Pid + 1, 0, 7), Ct);

        Assert.Equal((0, 3), (first.FirstOffset, other.FirstOffset));
        await Assert.ThrowsAsync<OutOfOrderSequenceException>(async () => await log.AppendAsync(Make(Pid, 4, 12349), Ct));
        Assert.Equal(6, (await log.AppendAsync(Make(Pid, 4, 12348), Ct)).FirstOffset);
    }

    [Fact]
    public async Task Sequence_WrapsFromIntMaxValueToZero()
    {
        await using var log = Open();
        await log.AppendAsync(Make(Pid, 0, int.MaxValue - 1, records: 3), Ct); // sequences MaxValue-1, MaxValue, 0

        Assert.True((await log.AppendAsync(Make(Pid, 0, int.MaxValue - 1, records: 3), Ct)).IsDuplicate);
        await Assert.ThrowsAsync<OutOfOrderSequenceException>(async () => await log.AppendAsync(Make(Pid, 0, 0), Ct));
        var next = await log.AppendAsync(Make(Pid, 0, 1), Ct);
        Assert.Equal(3, next.FirstOffset);
    }

    [Fact]
    public async Task Append_NonIdempotentBatchTwice_AppendsBoth()
    {
        await using var log = Open();
        var batch = TestBatchesWithoutProducer();
        await log.AppendAsync(batch.ToArray(), Ct);
        var second = await log.AppendAsync(batch.ToArray(), Ct);

        Assert.False(second.IsDuplicate);
        Assert.Equal(6, log.LogEndOffset);
    }

    [Fact]
    public async Task Append_ProducerIdWithNegativeSequence_IsRejected()
    {
        await using var log = Open();
        var error = await Assert.ThrowsAsync<CorruptRecordException>(async () => await log.AppendAsync(Make(Pid, 0, -1), Ct));

        Assert.Contains("base sequence -1", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, log.LogEndOffset);
    }

    [Fact]
    public async Task Append_SeveralBatchesOfOneProducer_ChecksEachAgainstTheOneBefore()
    {
        await using var log = Open();
        var both = await log.AppendAsync(Concat(Make(Pid, 0, 0), Make(Pid, 0, 3), Make(Pid + 1, 0, 50)), Ct);
        Assert.Equal((0, 8), (both.FirstOffset, both.LastOffset));
        Assert.True((await log.AppendAsync(Make(Pid, 0, 3), Ct)).IsDuplicate);
        Assert.True((await log.AppendAsync(Make(Pid, 0, 0), Ct)).IsDuplicate);

        await Assert.ThrowsAsync<OutOfOrderSequenceException>(async () => await log.AppendAsync(Concat(Make(Pid, 0, 6), Make(Pid, 0, 10)), Ct));
        await Assert.ThrowsAsync<ProducerFencedException>(async () => await log.AppendAsync(Concat(Make(Pid, 1, 0), Make(Pid, 0, 3)), Ct));
        Assert.Equal(9, log.LogEndOffset);
    }

    [Fact]
    public async Task Append_RetryTogetherWithOtherBatches_ThrowsDuplicateSequenceAndAppendsNothing()
    {
        await using var log = Open();
        await log.AppendAsync(Make(Pid, 0, 0), Ct);

        var error = await Assert.ThrowsAsync<DuplicateSequenceException>(async () => await log.AppendAsync(Concat(Make(Pid + 1, 0, 0), Make(Pid, 0, 0)), Ct));

        Assert.Equal(ErrorCode.DuplicateSequenceNumber, error.ErrorCode);
        Assert.Equal(0, error.OriginalOffset);
        Assert.Equal(3, log.LogEndOffset);
        await Assert.ThrowsAsync<DuplicateSequenceException>(async () => await log.AppendAsync(Concat(Make(Pid, 0, 0), Make(Pid, 0, 3)), Ct));
        Assert.Equal(3, log.LogEndOffset);
    }

    [Fact]
    public async Task Retry_UnderLogAppendTime_ReturnsTheOriginalAppendTime()
    {
        var time = Clock();
        await using var stamped = PartitionLog.Open("/data/idem-1", new LogOptions
        {
            Storage = new SimulatedStorage(), TimeProvider = time, TimestampType = TimestampType.LogAppendTime, RetentionCheckInterval = null,
        });
        var original = await stamped.AppendAsync(Make(Pid, 0, 0), Ct);
        time.Advance(TimeSpan.FromSeconds(5));

        var retry = await stamped.AppendAsync(Make(Pid, 0, 0), Ct);

        Assert.True(retry.IsDuplicate);
        Assert.Equal(StartMs, original.LogAppendTime);
        Assert.Equal(original.LogAppendTime, retry.LogAppendTime);
    }

    [Fact]
    public async Task Retry_UnderBeforeAck_CompletesFlushed()
    {
        await using var log = Open(tweak: o => Options(new SimulatedStorage(), Clock(), flush: FlushPolicy.BeforeAck));
        await log.AppendAsync(Make(Pid, 0, 0), Ct);

        var retry = await log.AppendAsync(Make(Pid, 0, 0), Ct);

        Assert.True(retry.IsDuplicate);
        Assert.Equal(Durability.Flushed, retry.Durability);
    }

    [Fact]
    public async Task Append_IdempotentSteadyState_AllocatesNoMoreThanAPlainAppend()
    {
        await using var log = Open(tweak: o => Options(new SimulatedStorage(), Clock(), segmentBytes: 64 << 20));
        const int Count = 2000;
        var idempotent = Enumerable.Range(0, Count).Select(i => Make(Pid, 0, i + 1, records: 1)).ToArray();
        var plain = Enumerable.Range(0, Count).Select(_ => Make(-1, -1, -1, records: 1)).ToArray();
        await log.AppendAsync(Make(Pid, 0, 0, records: 1), Ct); // the producer's entry exists: steady state
        await log.AppendAsync(Make(-1, -1, -1, records: 1), Ct);

        // Measured interleaved, so growth of the simulated file's buffers falls on both sides alike.
        long plainBytes = 0, idempotentBytes = 0;
        for (var part = 0; part < 10; part++)
        {
            plainBytes += await AllocatedAsync(log, plain[(part * 200)..((part + 1) * 200)]);
            idempotentBytes += await AllocatedAsync(log, idempotent[(part * 200)..((part + 1) * 200)]);
        }

        Assert.True(idempotentBytes <= plainBytes + 256, $"{Count} idempotent appends allocated {idempotentBytes} bytes, plain ones {plainBytes}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void LogOptions_NonPositiveProducerIdExpiration_IsRejectedNamingTheSetting(int seconds)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LogOptions { ProducerIdExpiration = TimeSpan.FromSeconds(seconds) });

        Assert.Contains("producer.id.expiration.ms", error.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromDays(1), LogOptions.Default.ProducerIdExpiration);
    }

    private static async Task<long> AllocatedAsync(PartitionLog log, byte[][] batches)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var batch in batches)
        {
            var append = log.AppendAsync(batch, Ct);
            Assert.True(append.IsCompletedSuccessfully);
            await append;
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static Memory<byte> TestBatchesWithoutProducer() => CommitLog.Storage.Tests.Log.TestBatches.Make(3, 0);
}

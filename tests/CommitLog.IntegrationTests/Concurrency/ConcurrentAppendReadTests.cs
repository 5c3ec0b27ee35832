using System.Collections.Concurrent;
using CommitLog.CrashChild;
using CommitLog.IntegrationTests.Crash;
using CommitLog.Storage;

namespace CommitLog.IntegrationTests.Concurrency;

/// <summary>
/// R8-lite on real files: concurrent appenders and tailing readers on one log, then close and reopen; and
/// <see cref="PartitionLog.DisposeAsync"/> racing appends and reads. Every wait has a timeout, so a hang fails.
/// </summary>
[Collection(nameof(RealProcessCollection))]
public sealed class ConcurrentAppendReadTests
{
    private const int Appenders = 4;
    private const int Readers = 3;
    private static readonly TimeSpan Watchdog = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Os")]
    [InlineData("BeforeAck")]
    public async Task AppendersAndTailingReaders_ReadersSeeDenseOrderedWholeBatches_AndEveryAckSurvivesReopen(string flush)
    {
        var directory = NewDirectory("concurrent-" + flush);
        var policy = flush == "BeforeAck" ? FlushPolicy.BeforeAck : FlushPolicy.Os;
        var acks = new ConcurrentBag<Ack>();
        var log = PartitionLog.Open(directory, new LogOptions { SegmentBytes = 16 * 1024, FlushPolicy = policy, RetentionMs = null, RetentionCheckInterval = null });
        using var appendTime = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var appenders = Enumerable.Range(0, Appenders).Select(w => Task.Run(() => AppendUntilAsync(log, w, acks, appendTime.Token))).ToArray();
        var readers = Enumerable.Range(0, Readers).Select(_ => Task.Run(() => TailAsync(log, appenders))).ToArray();

        await Task.WhenAll(appenders).WaitAsync(Watchdog, Ct);
        var views = await Task.WhenAll(readers).WaitAsync(Watchdog, Ct);
        var end = log.LogEndOffset;
        Assert.All(views, v => Assert.Equal(end, v.NextOffset));
        Assert.All(views, v => Assert.Equal(end, v.Records));
        var ackList = acks.ToList();
        Assert.Equal(end, ackList.Sum(a => a.Last - a.First + 1));
        var expected = policy.IsBeforeAck ? Durability.Flushed : Durability.Written;
        foreach (var group in ackList.GroupBy(a => a.Writer))
        {
            var ordered = group.OrderBy(a => a.Seq).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                Assert.True(ordered[i].First > ordered[i - 1].Last, $"Writer {group.Key}: {ordered[i]} got offsets before its earlier {ordered[i - 1]}.");
            }
        }

        await log.DisposeAsync();
        new LogVerifier().Verify(directory, ackList, expected, $"{flush}, directory {directory}");
        TestContext.Current.TestOutputHelper?.WriteLine($"{flush}: {ackList.Count} appends, {end} records, {Readers} readers saw all of them in order.");
        Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [InlineData("Os")]
    [InlineData("BeforeAck")]
    public async Task DisposeAsync_RacingAppendsAndReads_AppendsCompleteOrFailCleanly_AndCompletedOnesSurvive(string flush)
    {
        var policy = flush == "BeforeAck" ? FlushPolicy.BeforeAck : FlushPolicy.Os;
        var random = new Random(flush.Length);
        for (var round = 0; round < 8; round++)
        {
            var directory = NewDirectory($"dispose-race-{flush}-{round}");
            var acks = new ConcurrentBag<Ack>();
            var log = PartitionLog.Open(directory, new LogOptions { SegmentBytes = 8 * 1024, FlushPolicy = policy, RetentionMs = null, RetentionCheckInterval = null });
            var appenders = Enumerable.Range(0, Appenders).Select(w => Task.Run(() => AppendUntilAsync(log, w, acks, CancellationToken.None))).ToArray();
            var reader = Task.Run(() => TailAsync(log, appenders));
            await Task.Delay(random.Next(20, 200), Ct);
            await log.DisposeAsync().AsTask().WaitAsync(Watchdog, Ct);

            // Appenders stop at their first ObjectDisposedException/LogStorageException; anything else fails the test.
            await Task.WhenAll(appenders).WaitAsync(Watchdog, Ct);
            var readerOutcome = await Xunit.Record.ExceptionAsync(() => reader.WaitAsync(Watchdog, Ct));
            Assert.True(readerOutcome is null or ObjectDisposedException, $"Round {round}: the tailing reader ended with {readerOutcome}.");
            Assert.NotEmpty(acks);
            new LogVerifier().Verify(directory, acks.ToList(), policy.IsBeforeAck ? Durability.Flushed : Durability.Written, $"{flush}, round {round}, directory {directory}");
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task AppendUntilAsync(PartitionLog log, int writer, ConcurrentBag<Ack> acks, CancellationToken stop)
    {
        var random = new Random(writer);
        long seq = 0;
        while (!stop.IsCancellationRequested)
        {
            var count = random.Next(1, 9);
            AppendResult result;
            try
            {
                result = await log.AppendAsync(CrashBatches.Make(writer, seq, count), Ct);
            }
            catch (Exception e) when (e is ObjectDisposedException or LogStorageException { IsFailStopped: false })
            {
                return; // the log was closed under us
            }

            acks.Add(CrashBatches.ToAck(result, writer, seq));
            seq += count;
            if (random.Next(4) == 0)
            {
                await Task.Yield();
            }
        }
    }

    /// <summary>Follows the log with ReadAsync(minBytes 1) until the appenders are done and it reached the end; checks what it sees.</summary>
    private static async Task<(long NextOffset, long Records)> TailAsync(PartitionLog log, Task[] appenders)
    {
        var next = 0L;
        var records = 0L;
        var lastSeq = new Dictionary<int, long>();
        while (true)
        {
            var done = appenders.All(a => a.IsCompleted);
            if (done && next >= log.LogEndOffset)
            {
                return (next, records);
            }

            using var read = await log.ReadAsync(next, 16 * 1024, minBytes: 1, TimeSpan.FromMilliseconds(100), Ct);
            foreach (var batch in RecordBatch.ReadAll(read.Records))
            {
                Assert.True(batch.IsCrcValid, $"A reader got a batch at {batch.Header.BaseOffset} with a bad CRC (a partial batch?).");
                Assert.True(batch.Header.BaseOffset == next, $"A reader expected offset {next} and got a batch at {batch.Header.BaseOffset}.");
                foreach (var record in batch.GetRecords())
                {
                    Assert.True(record.Offset == next, $"A reader expected offset {next} and got {record.Offset}.");
                    Assert.True(record.Value is { } value && CrashRecord.TryDecode(value.Span, out var writer, out var seq) && Check(lastSeq, writer, seq),
                        $"A reader got a malformed or out-of-order record at offset {record.Offset}.");
                    next++;
                    records++;
                }
            }
        }
    }

    /// <summary>Each writer's records appear in its own order, without gaps: sequence = previous + 1.</summary>
    private static bool Check(Dictionary<int, long> lastSeq, int writer, long seq)
    {
        var expected = lastSeq.TryGetValue(writer, out var last) ? last + 1 : 0;
        lastSeq[writer] = seq;
        return seq == expected;
    }

    private static string NewDirectory(string name) => Path.Combine(Path.GetTempPath(), $"commitlog-{name}-{Guid.NewGuid():N}");
}

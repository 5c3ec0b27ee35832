using System.Diagnostics;
using CommitLog.Storage.Tests.Log;
using CommitLog.TestKit;
using Microsoft.Extensions.Time.Testing;

namespace CommitLog.Storage.Tests.Reliability;

/// <summary>
/// R4: the active segment cut at every byte length, and zero or garbage tails after its valid data, on fresh copies of
/// a crashed partition (a sealed segment, then an active one whose first batches were flushed and checkpointed and whose
/// last ones were not). Above the checkpointed position the recovered log must be exactly the longest valid prefix and
/// appends must continue at its end; below it (flushed data lost) Strict must refuse to open, naming file and position,
/// and Salvage must open with the longest valid prefix.
/// </summary>
public class TruncationTests(ITestOutputHelper output)
{
    private const string Directory = "/data/truncation-0";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ActiveSegment_CutAtEveryLengthAboveCheckpoint_RecoversLongestValidPrefix()
    {
        var crashed = await CrashedLog.BuildAsync(Ct);
        var watch = Stopwatch.StartNew();
        for (var length = crashed.CheckpointPosition; length <= crashed.ActiveLength; length++)
        {
            var cut = length;
            var disk = crashed.Image.Restore(crashed.ActiveLogName, b => b[..(int)cut]);
            await crashed.VerifyRecoveredAsync(disk, RecoveryMode.Strict, cut, $"cut at {cut} (checkpoint at {crashed.CheckpointPosition})", Ct);
        }

        output.WriteLine($"{crashed.ActiveLength - crashed.CheckpointPosition + 1} cuts in {watch.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task ActiveSegment_CutBelowCheckpoint_StrictRefusesNamingFileAndPosition()
    {
        var crashed = await CrashedLog.BuildAsync(Ct);
        Assert.True(crashed.CheckpointPosition > 0, "the checkpoint vouches for no data in the active segment");
        for (var length = 0L; length < crashed.CheckpointPosition; length++)
        {
            var cut = length;
            var disk = crashed.Image.Restore(crashed.ActiveLogName, b => b[..(int)cut]);
            var e = Assert.Throws<CorruptRecordException>(() => PartitionLog.Open(Directory, CrashedLog.Options(disk, RecoveryMode.Strict)));
            Assert.True(e.File == crashed.ActiveLogPath && e.Position == cut,
                $"cut at {cut}: the refusal names '{e.File}' at {e.Position}, expected '{crashed.ActiveLogPath}' at {cut}: {e.Message}");
            Assert.Contains(crashed.ActiveLogName, e.Message, StringComparison.Ordinal);
            Assert.Contains("flushed", e.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("Salvage", e.Message, StringComparison.Ordinal);

            // Refusing must leave the files untouched: the cut file is still there, byte for byte.
            Assert.Equal(cut, disk.ReadAllBytes(crashed.ActiveLogPath).Length);
        }
    }

    [Fact]
    public async Task ActiveSegment_CutBelowCheckpoint_SalvageKeepsLongestValidPrefix()
    {
        var crashed = await CrashedLog.BuildAsync(Ct);
        for (var length = 0L; length < crashed.CheckpointPosition; length++)
        {
            var cut = length;
            var disk = crashed.Image.Restore(crashed.ActiveLogName, b => b[..(int)cut]);
            await crashed.VerifyRecoveredAsync(disk, RecoveryMode.Salvage, cut, $"salvage, cut at {cut} (checkpoint at {crashed.CheckpointPosition})", Ct);
        }
    }

    public static TheoryData<string> Tails => new() { "zeros", "garbage", "stale copy of a batch", "header with a huge length", "half a batch" };

    [Theory]
    [MemberData(nameof(Tails))]
    public async Task ActiveSegment_TailAfterValidData_IsTruncatedAway(string kind)
    {
        var crashed = await CrashedLog.BuildAsync(Ct);

        // After all the data, and after the first unflushed batch (a cut at a batch boundary followed by junk).
        foreach (var validLength in new[] { crashed.ActiveLength, crashed.FirstBatchEndAfter(crashed.CheckpointPosition) })
        {
            foreach (var tail in MakeTails(kind, crashed))
            {
                var disk = crashed.Image.Restore(crashed.ActiveLogName, b => [.. b.AsSpan(0, (int)validLength), .. tail]);
                await crashed.VerifyRecoveredAsync(disk, RecoveryMode.Strict, validLength, $"{tail.Length} bytes of {kind} after byte {validLength}", Ct);
            }
        }
    }

    private static IEnumerable<byte[]> MakeTails(string kind, CrashedLog crashed)
    {
        var random = new Random(kind.Length);
        var lastBatch = crashed.Batches[^1].Bytes;
        switch (kind)
        {
            case "zeros":
                foreach (var length in new[] { 1, 8, 11, 12, 17, 60, 61, 62, 100, 512, 4096 })
                {
                    yield return new byte[length];
                }

                break;
            case "garbage":
                for (var i = 0; i < 40; i++)
                {
                    var bytes = new byte[random.Next(1, 400)];
                    random.NextBytes(bytes);
                    yield return bytes;
                }

                break;
            case "stale copy of a batch":
                // A whole, CRC-valid batch whose offsets repeat ones already in the log (an old write that reappears).
                yield return (byte[])lastBatch.Clone();
                yield return (byte[])crashed.Batches[0].Bytes.Clone();
                break;
            case "header with a huge length":
                foreach (var length in new[] { int.MaxValue, 1 << 30, lastBatch.Length * 4 })
                {
                    var header = lastBatch[..RecordBatchHeader.Size];
                    System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(RecordBatchHeader.BatchLengthOffset), length);
                    yield return header;
                }

                break;
            default:
                // The first part of a batch that would continue the log (its base offset is the expected next one).
                for (var cut = 1; cut < lastBatch.Length; cut += 7)
                {
                    yield return lastBatch[..cut];
                }

                break;
        }
    }

    /// <summary>One batch as read back before the crash: where it lies and its exact bytes.</summary>
    private sealed record StoredBatch(long BaseOffset, long NextOffset, bool InActiveSegment, long Position, byte[] Bytes)
    {
        public long End => Position + Bytes.Length;
    }

    /// <summary>The crashed partition, captured once; each case restores and damages a fresh copy.</summary>
    private sealed class CrashedLog
    {
        private CrashedLog(DiskImage image, List<StoredBatch> batches, long activeBase, long checkpointPosition)
        {
            Image = image;
            Batches = batches;
            ActiveBase = activeBase;
            CheckpointPosition = checkpointPosition;
        }

        public DiskImage Image { get; }

        public List<StoredBatch> Batches { get; }

        public long ActiveBase { get; }

        public long CheckpointPosition { get; }

        public string ActiveLogName => SegmentFileNames.Name(ActiveBase, SegmentFileNames.LogSuffix);

        public string ActiveLogPath => Path.Combine(Directory, ActiveLogName);

        public long ActiveLength => Image.Files[ActiveLogName].Length;

        public static LogOptions Options(SimulatedStorage disk, RecoveryMode mode) => new()
        {
            Storage = disk,
            SegmentBytes = 1 << 20,
            IndexIntervalBytes = 100,
            RetentionMs = null,
            RetentionCheckInterval = null,
            CheckpointInterval = TimeSpan.FromTicks(1), // every flush writes the checkpoint
            RecoveryMode = mode,
            TimeProvider = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000)),
        };

        public static async ValueTask<CrashedLog> BuildAsync(CancellationToken cancellationToken)
        {
            var disk = new SimulatedStorage();
            var log = PartitionLog.Open(Directory, Options(disk, RecoveryMode.Strict));
            long seq = 0;
            async Task AppendAsync(int records, int valueSize, CompressionType compression = CompressionType.None)
            {
                await log.AppendAsync(TestBatches.Make(records, seq, valueSize, timestamp: 5_000 + (seq * 10), compression), cancellationToken);
                seq += records;
            }

            await AppendAsync(2, 30);
            await AppendAsync(1, 90);
            log.Roll();
            var activeBase = log.LogEndOffset;
            await AppendAsync(3, 20);
            await AppendAsync(1, 150, CompressionType.Lz4);
            await AppendAsync(2, 40);
            await log.FlushAsync(cancellationToken);
            var flushedEnd = log.LogEndOffset;
            await AppendAsync(1, 70);
            await AppendAsync(4, 25, CompressionType.Gzip);
            await AppendAsync(2, 110);
            await AppendAsync(1, 12);

            var batches = new List<StoredBatch>();
            var position = 0L;
            for (var offset = 0L; offset < log.LogEndOffset;)
            {
                using var read = log.Read(offset, 1 << 20);
                foreach (var batch in RecordBatch.ReadAll(read.Records))
                {
                    var active = batch.Header.BaseOffset >= activeBase;
                    position = active && batch.Header.BaseOffset == activeBase ? 0 : position;
                    batches.Add(new StoredBatch(batch.Header.BaseOffset, batch.Header.NextOffset, active, position, batch.Memory.ToArray()));
                    position += batch.SizeInBytes;
                }

                offset = read.NextOffset;
            }

            disk.Crash(PowerLossMode.ProcessCrash, 0);
            await log.DisposeAsync(); // after the crash its calls fail: it cannot write a clean-shutdown marker
            var image = DiskImage.Capture(disk, Directory);
            var checkpoint = new PartitionCheckpointFile(image.Restore(), Directory).Read();
            Assert.True(checkpoint is { } c && c.SegmentBase == activeBase && c.RecoveryPoint == flushedEnd,
                $"the checkpoint {checkpoint} does not hold the flushed part of the active segment (base {activeBase}, flushed to {flushedEnd})");
            var crashed = new CrashedLog(image, batches, activeBase, checkpoint.Value.Position);
            Assert.Equal(batches.Where(b => b.InActiveSegment).Sum(b => (long)b.Bytes.Length), crashed.ActiveLength);
            Assert.Contains(batches, b => b.InActiveSegment && b.End == crashed.CheckpointPosition);
            return crashed;
        }

        public long FirstBatchEndAfter(long position) => Batches.First(b => b.InActiveSegment && b.End > position).End;

        /// <summary>
        /// Opens <paramref name="disk"/> and checks that the log is exactly the batches whose bytes lie wholly below
        /// <paramref name="validLength"/> of the active segment (and every sealed one), that the file was cut back to
        /// them, and that an append continues at the log end.
        /// </summary>
        public async Task VerifyRecoveredAsync(SimulatedStorage disk, RecoveryMode mode, long validLength, string context, CancellationToken cancellationToken)
        {
            var expected = Batches.Where(b => !b.InActiveSegment || b.End <= validLength).ToList();
            var keptLength = expected.Where(b => b.InActiveSegment).Select(b => b.End).DefaultIfEmpty(0).Max();
            var expectedEnd = expected.Count == 0 ? 0 : expected[^1].NextOffset;
            PartitionLog log;
            try
            {
                log = PartitionLog.Open(Directory, Options(disk, mode));
            }
            catch (Exception e)
            {
                throw new ModelViolationException($"{context}: open failed: {e}");
            }

            await using (log)
            {
                LogModel.Check(log.LogStartOffset == 0 && log.LogEndOffset == expectedEnd,
                    $"{context}: the log holds {log.LogStartOffset}..{log.LogEndOffset}, expected 0..{expectedEnd} ({expected.Count} of {Batches.Count} batches)");
                LogModel.Check(disk.ReadAllBytes(ActiveLogPath).Length == keptLength,
                    $"{context}: the active segment is {disk.ReadAllBytes(ActiveLogPath).Length} bytes after recovery, expected the valid {keptLength}");
                var index = 0;
                for (var offset = 0L; offset < log.LogEndOffset;)
                {
                    using var read = log.Read(offset, 1 + (int)(offset % 3 * 200));
                    foreach (var batch in RecordBatch.ReadAll(read.Records))
                    {
                        LogModel.Check(index < expected.Count && batch.Memory.Span.SequenceEqual(expected[index].Bytes),
                            $"{context}: batch {index} (base offset {batch.Header.BaseOffset}) differs from the one written");
                        index++;
                    }

                    offset = read.NextOffset;
                }

                LogModel.Check(index == expected.Count, $"{context}: read {index} batches, expected {expected.Count}");
                var next = await log.AppendAsync(TestBatches.Make(2, 9_000, 33, timestamp: 99_000), cancellationToken);
                LogModel.Check(next.FirstOffset == expectedEnd && next.LastOffset == expectedEnd + 1,
                    $"{context}: the append after recovery got {next.FirstOffset}..{next.LastOffset}, expected {expectedEnd}..{expectedEnd + 1}");
                LogModel.Check(TestBatches.ReadAll(log, expectedEnd) is [(var o1, 9_000), (var o2, 9_001)] && o1 == expectedEnd && o2 == expectedEnd + 1,
                    $"{context}: the append after recovery does not read back");
                LogModel.Check(log.OffsetForTimestamp(99_000) == expectedEnd, $"{context}: OffsetForTimestamp misses the appended batch");
            }
        }
    }
}

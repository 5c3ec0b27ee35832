using System.Buffers.Binary;
using CommitLog.Storage.Tests.Log;
using CommitLog.TestKit;
using Microsoft.Extensions.Time.Testing;

namespace CommitLog.Storage.Tests.Reliability;

/// <summary>How a log on a damaged disk behaved.</summary>
internal enum DamageOutcome
{
    /// <summary>Open refused the log with <see cref="CorruptRecordException"/>.</summary>
    Rejected,

    /// <summary>The log opened; a read (or timestamp lookup) threw <see cref="CorruptRecordException"/> naming file and position.</summary>
    DetectedOnRead,

    /// <summary>The log opened and returned exactly the original batches.</summary>
    Intact,

    /// <summary>The log opened and returned the original records, but a batch's leader epoch (outside the CRC) differed.</summary>
    EpochChanged,
}

/// <summary>
/// A small partition (a sealed segment with several batches and an active one) built once; each case restores a
/// fresh copy, damages it, reopens it and reads everything back. Anything other than a clear rejection, a detected
/// corruption or the exact original data (wrong bytes, missing records, other exceptions) throws.
/// </summary>
internal sealed class DamageCheck
{
    public const string Directory = "/data/damage-0";
    public const string SealedLog = "00000000000000000000.log";
    private readonly List<byte[]> _batches = [];
    private readonly List<(long Timestamp, long? Offset)> _timestamps = [];
    private string? _damagedFile;

    private DamageCheck(DiskImage image, long logEndOffset)
    {
        Image = image;
        LogEndOffset = logEndOffset;
    }

    public DiskImage Image { get; }

    public long LogEndOffset { get; }

    /// <summary>Gets the original batches, in offset order.</summary>
    public IReadOnlyList<byte[]> Batches => _batches;

    public static LogOptions Options(SimulatedStorage disk, RecoveryMode mode = RecoveryMode.Strict) => new()
    {
        Storage = disk,
        SegmentBytes = 1 << 20,
        IndexIntervalBytes = 64,
        RetentionMs = null,
        RetentionCheckInterval = null,
        RecoveryMode = mode,
        TimeProvider = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000)),
    };

    /// <summary>Builds the partition: <paramref name="sealedBatches"/> batches, a roll, two more; closed cleanly or crashed after a flush.</summary>
    public static async Task<DamageCheck> BuildAsync(bool clean, int sealedBatches, CancellationToken cancellationToken)
    {
        var disk = new SimulatedStorage();
        var log = PartitionLog.Open(Directory, Options(disk));
        log.SetLeaderEpoch(3);
        long seq = 0;
        for (var i = 0; i < sealedBatches + 2; i++)
        {
            if (i == sealedBatches)
            {
                log.Roll();
            }

            var records = 1 + (i % 2);
            await log.AppendAsync(TestBatches.Make(records, seq, valueSize: 8 + (i % 3), timestamp: 10_000 + (i * 100)), cancellationToken);
            seq += records;
        }

        await log.FlushAsync(cancellationToken);
        var end = log.LogEndOffset;
        var batches = new List<byte[]>();
        for (var offset = 0L; offset < end;)
        {
            using var read = log.Read(offset, 1 << 20);
            foreach (var batch in RecordBatch.ReadAll(read.Records))
            {
                batches.Add(batch.Memory.ToArray());
            }

            offset = read.NextOffset;
        }

        var timestamps = new List<(long, long?)>();
        foreach (var timestamp in new long[] { 0, 10_000, 10_050, 10_300, 10_301, 10_000 + (sealedBatches * 100), 99_999 })
        {
            timestamps.Add((timestamp, log.OffsetForTimestamp(timestamp)));
        }

        if (!clean)
        {
            disk.Crash(PowerLossMode.ProcessCrash, 0);
        }

        await log.DisposeAsync();
        var check = new DamageCheck(DiskImage.Capture(disk, Directory), end);
        check._batches.AddRange(batches);
        check._timestamps.AddRange(timestamps);
        return check;
    }

    /// <summary>Restores a copy with <paramref name="change"/> applied to <paramref name="file"/>, reopens and reads everything.</summary>
    public DamageOutcome Run(string file, Func<byte[], byte[]?> change, RecoveryMode mode = RecoveryMode.Strict, bool checkTimestamps = true)
    {
        _damagedFile = file;
        var disk = Image.Restore(file, change);
        PartitionLog log;
        try
        {
            log = PartitionLog.Open(Directory, Options(disk, mode));
        }
        catch (CorruptRecordException e)
        {
            LogModel.Check(e.File is not null && e.Position >= 0, $"the rejection names no file and position: {e.Message}");
            return DamageOutcome.Rejected;
        }

        using (log)
        {
            try
            {
                return ReadAll(log, mode, checkTimestamps);
            }
            catch (CorruptRecordException e)
            {
                LogModel.Check(e.File is not null && e.Position >= 0, $"the corruption report names no file and position: {e.Message}");
                return DamageOutcome.DetectedOnRead;
            }
        }
    }

    private DamageOutcome ReadAll(PartitionLog log, RecoveryMode mode, bool checkTimestamps)
    {
        var outcome = DamageOutcome.Intact;
        var index = 0;
        var offset = log.LogStartOffset;
        LogModel.Check(log.LogStartOffset == 0, $"the log start moved to {log.LogStartOffset}");
        while (offset < log.LogEndOffset)
        {
            using var read = log.Read(offset, 1 + (int)(offset % 2 * 300));
            LogModel.Check(!read.IsEmpty, $"a read at {offset} returned nothing");
            foreach (var batch in RecordBatch.ReadAll(read.Records))
            {
                LogModel.Check(index < _batches.Count, $"the log returned more batches than were written (offset {batch.Header.BaseOffset})");
                var expected = _batches[index++];
                var actual = batch.Memory.Span;
                if (!actual.SequenceEqual(expected))
                {
                    var sameButEpoch = actual.Length == expected.Length
                        && actual[..RecordBatchHeader.PartitionLeaderEpochOffset].SequenceEqual(expected.AsSpan(0, RecordBatchHeader.PartitionLeaderEpochOffset))
                        && actual[(RecordBatchHeader.PartitionLeaderEpochOffset + 4)..].SequenceEqual(expected.AsSpan(RecordBatchHeader.PartitionLeaderEpochOffset + 4));
                    LogModel.Check(sameButEpoch,
                        $"batch {index - 1} came back different (base offset {BinaryPrimitives.ReadInt64BigEndian(actual)}, expected {BinaryPrimitives.ReadInt64BigEndian(expected)})");
                    outcome = DamageOutcome.EpochChanged;
                }

                offset = batch.Header.NextOffset;
            }
        }

        var complete = index == _batches.Count && log.LogEndOffset == LogEndOffset;
        var epochs = log.GetLeaderEpochs();
        LogModel.Check((epochs.Count == 1 && epochs[0] == (3, 0L)) || _damagedFile == SealedLog, // a flipped epoch field in the data itself cannot be told from a real one
            $"the leader-epoch cache came back as [{string.Join(", ", epochs)}], expected [(3, 0)]");
        LogModel.Check(complete || mode == RecoveryMode.Salvage,
            $"records were silently lost: {index} of {_batches.Count} batches, log end {log.LogEndOffset} of {LogEndOffset}");
        foreach (var (timestamp, expectedOffset) in checkTimestamps ? _timestamps : [])
        {
            var found = log.OffsetForTimestamp(timestamp);
            LogModel.Check(found == expectedOffset || (!complete && (found is null || found <= log.LogEndOffset)),
                $"OffsetForTimestamp({timestamp}) returned {found?.ToString() ?? "null"}, expected {expectedOffset?.ToString() ?? "null"}");
        }

        return outcome;
    }
}

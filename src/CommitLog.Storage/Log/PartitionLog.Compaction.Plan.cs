namespace CommitLog.Storage;

public sealed partial class PartitionLog
{
    /// <summary>Picks the cleanable segments [0, End) and measures clean and dirty bytes.</summary>
    private CleaningPlan PlanCleaning(bool ignoreRecoveryPoint = false)
    {
        var state = _cleanerState ??= CleanerCheckpoint.Read(_storage, _directory);
        var segments = Volatile.Read(ref _segments);
        var checkpointBase = ignoreRecoveryPoint ? long.MaxValue : _checkpointFile.Read()?.SegmentBase ?? -1;
        var lagMs = (long)_options.MinCompactionLag.TotalMilliseconds;
        var now = NowMs;
        var end = 0;
        while (end < segments.Length - 1)
        {
            var segment = segments[end];
            var tooYoung = lagMs > 0 && (segment.MaxTimestamp < 0 || now - segment.MaxTimestamp < lagMs);

            // A replicated log cleans only below the high watermark (Kafka cleans below the last stable offset, at most the high watermark).
            var aboveHighWatermark = _options.ReplicatedHighWatermark && segments[end + 1].BaseOffset > HighWatermark;
            if (segments[end + 1].BaseOffset > checkpointBase || tooYoung || aboveHighWatermark)
            {
                break;
            }

            end++;
        }

        var dirtyEnd = segments[end].BaseOffset;
        var cleaned = state.CleanedOffset > dirtyEnd ? segments[0].BaseOffset : state.CleanedOffset;
        var firstDirty = Math.Max(cleaned, segments[0].BaseOffset);
        long clean = 0, dirty = 0;
        for (var i = 0; i < end; i++)
        {
            if (segments[i + 1].BaseOffset <= firstDirty)
            {
                clean += segments[i].Size;
            }
            else
            {
                dirty += segments[i].Size;
            }
        }

        var ratio = clean + dirty == 0 ? 0 : (double)dirty / (clean + dirty);
        return new CleaningPlan(segments, end, firstDirty, dirtyEnd, dirty, ratio, now);
    }

    /// <summary>Calls <paramref name="action"/> for every batch of a sealed segment, verifying each checksum.</summary>
    private void ForEachBatch(LogSegment segment, BatchAction action)
    {
        using var scanner = new SegmentScanner(segment.Log, 0, segment.Size, _options.MaxMessageBytes);
        while (scanner.TryNext(verifyCrc: true, out var status))
        {
            if (status != BatchStatus.Valid)
            {
                throw new CorruptRecordException(
                    $"The cleaner found a damaged batch at position {scanner.Position} of '{segment.Log.Path}': {BatchFraming.Describe(status)}. Nothing was replaced.",
                    segment.Log.Path, scanner.Position) { LogDirectory = _directory };
            }

            action(scanner.Current);
            scanner.Advance();
        }
    }

    private delegate void BatchAction(ReadOnlySpan<byte> batch);

    /// <summary>The cleanable segments [0, End) of a snapshot, the dirty range [FirstDirty, DirtyEnd) and its share of the bytes.</summary>
    private readonly record struct CleaningPlan(LogSegment[] Segments, int End, long FirstDirty, long DirtyEnd, long DirtyBytes, double Ratio, long Now);

    /// <summary>Totals of one cleaner run.</summary>
    private sealed class CleaningStats
    {
        public int SegmentsBefore { get; set; }

        public int SegmentsAfter { get; set; }

        public long BytesBefore { get; set; }

        public long BytesAfter { get; set; }

        public long RecordsRemoved { get; set; }

        public long TombstonesRemoved { get; set; }
    }
}

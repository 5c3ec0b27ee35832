using CommitLog.TestKit;

namespace CommitLog.Storage.Tests.Reliability;

/// <summary>
/// The reference model of one partition log: which record may sit at which offset, where the log must start and
/// end, and what was acknowledged as written or flushed. Operations first widen the model to cover the outcome of
/// an operation in flight (it may be cut short by a crash), then narrow it once the operation returned.
/// </summary>
internal sealed class LogModel
{
    private readonly Dictionary<long, byte[]> _values = [];
    private readonly SortedSet<long> _batchStarts = [];

    /// <summary>Gets the lowest log start offset allowed (committed deletions).</summary>
    public long Start { get; private set; }

    /// <summary>Gets the highest log start offset an operation in flight may have produced.</summary>
    public long MaxStart { get; private set; }

    /// <summary>Gets the log end offset of completed operations.</summary>
    public long End { get; private set; }

    /// <summary>Gets the highest log end offset an append in flight may have produced.</summary>
    public long MaybeEnd { get; private set; }

    /// <summary>Gets the offset below which every record was acknowledged as flushed.</summary>
    public long FlushedEnd { get; private set; }

    /// <summary>Gets the offset below which every record was acknowledged as written.</summary>
    public long WrittenEnd { get; private set; }

    public int RecordCount => (int)(End - Start);

    public void BeginAppend(IReadOnlyList<(int Records, byte[][] Values)> batches)
    {
        var offset = MaybeEnd;
        foreach (var (records, values) in batches)
        {
            _batchStarts.Add(offset);
            for (var i = 0; i < records; i++)
            {
                _values[offset++] = values[i];
            }
        }

        MaybeEnd = offset;
    }

    public void CommitAppend(AppendResult result, long expectedFirst)
    {
        Check(result.FirstOffset == expectedFirst && result.LastOffset == MaybeEnd - 1,
            $"append was acknowledged at {result.FirstOffset}..{result.LastOffset}, the model expects {expectedFirst}..{MaybeEnd - 1}");
        End = MaybeEnd;
        WrittenEnd = End;
        if (result.Durability >= Durability.Flushed)
        {
            FlushedEnd = End;
        }
    }

    /// <summary>An append failed without a crash: the log end tells whether its batches are in the log (unacknowledged).</summary>
    public void AbortAppend(long logEndOffset)
    {
        Check(logEndOffset == End || logEndOffset == MaybeEnd, $"after a failed append the log ends at {logEndOffset}, expected {End} or {MaybeEnd}");
        if (logEndOffset == End)
        {
            DropFrom(End);
        }

        End = MaybeEnd = logEndOffset;
    }

    public void Flushed(long upTo) => FlushedEnd = Math.Max(FlushedEnd, Math.Min(upTo, End));

    /// <summary>The log claims <paramref name="recoveryPoint"/>: that much is flushed, so it must survive any crash.</summary>
    public void ObserveRecoveryPoint(long recoveryPoint, long logEndOffset)
    {
        Check(recoveryPoint <= logEndOffset, $"the recovery point {recoveryPoint} is past the log end {logEndOffset}");
        Flushed(recoveryPoint);
    }

    /// <summary>The batch start at or below <paramref name="offset"/>: where TruncateTo(offset) must cut.</summary>
    public long BatchStartOf(long offset) => _batchStarts.GetViewBetween(long.MinValue, offset).Max;

    public void BeginTruncate(long newEnd)
    {
        Start = Math.Min(Start, newEnd);
        FlushedEnd = Math.Min(FlushedEnd, newEnd);
        WrittenEnd = Math.Min(WrittenEnd, newEnd);
    }

    public void CommitTruncate(long newEnd)
    {
        Start = MaxStart = Math.Min(Start, newEnd);
        End = MaybeEnd = newEnd;
        DropFrom(newEnd);
    }

    public void BeginStartMove(long maxNewStart) => MaxStart = Math.Max(MaxStart, Math.Min(maxNewStart, End));

    public void CommitStart(long start)
    {
        Check(start >= Start && start <= MaxStart, $"the log start moved to {start}, the model allows {Start}..{MaxStart}");
        Start = MaxStart = start;
    }

    /// <summary>A crash happened: only a process crash keeps what was written but not flushed.</summary>
    public void OnCrash(PowerLossMode mode)
    {
        if (mode != PowerLossMode.ProcessCrash)
        {
            WrittenEnd = Math.Min(WrittenEnd, FlushedEnd);
        }
    }

    /// <summary>
    /// Checks a log reopened after a crash (<paramref name="mode"/>) or a clean close (null) against the model, then
    /// makes the model match it.
    /// </summary>
    public void VerifyReopened(PartitionLog log, PowerLossMode? mode, string context)
    {
        var start = log.LogStartOffset;
        var end = log.LogEndOffset;
        var required = mode is null ? End : Math.Max(WrittenEnd, FlushedEnd);
        Check(end >= Start, $"{context}: the log ends at {end}, below the committed log start {Start}: offsets would be reused");
        Check(start >= Start || start == end, $"{context}: the log start went back from {Start} to {start}");
        Check(start <= Math.Max(MaxStart, 0) || start == end, $"{context}: the log starts at {start}, past the allowed {MaxStart}");
        if (required > MaxStart)
        {
            Check(end >= required, $"{context}: lost acknowledged records: the log ends at {end} but offsets below {required} were acknowledged ({mode})");
        }

        Check(end <= MaybeEnd, $"{context}: the log ends at {end}, past the last offset ever written ({MaybeEnd})");
        VerifyContent(log, context);
        Start = MaxStart = start;
        End = MaybeEnd = end;
        DropFrom(end);
        WrittenEnd = end;
        FlushedEnd = Math.Min(FlushedEnd, end);
        ObserveRecoveryPoint(log.RecoveryPoint, end);
    }

    /// <summary>Reads the whole log: dense offsets from the log start, every record the one the model holds for its offset.</summary>
    public void VerifyContent(PartitionLog log, string context)
    {
        var start = log.LogStartOffset;
        var end = log.LogEndOffset;
        var expected = start;
        while (expected < end)
        {
            using var read = log.Read(expected, 1 + (expected % 3 == 0 ? 100 : 16 * 1024));
            Check(!read.IsEmpty, $"{context}: reading offset {expected} (log {start}..{end}) returned nothing");
            foreach (var batch in RecordBatch.ReadAll(read.Records))
            {
                Check(batch.IsCrcValid, $"{context}: a read returned a batch with a bad CRC at {batch.Header.BaseOffset}");
                foreach (var record in batch.GetRecords())
                {
                    if (record.Offset < expected)
                    {
                        continue;
                    }

                    Check(record.Offset == expected, $"{context}: offset {expected} expected, read {record.Offset} (gap or reordering)");
                    Check(_values.TryGetValue(record.Offset, out var value), $"{context}: offset {record.Offset} holds a record that was never written there");
                    Check(record.Value is { } v && v.Span.SequenceEqual(value), $"{context}: offset {record.Offset} holds different bytes than were written");
                    expected++;
                }
            }

            Check(read.NextOffset == expected, $"{context}: the read reported next offset {read.NextOffset}, the records end at {expected}");
        }

        Check(expected == end, $"{context}: records end at {expected}, the log end offset is {end}");
    }

    /// <summary>Checks a single read at <paramref name="offset"/>.</summary>
    public void VerifyRead(PartitionLog log, long offset, int maxBytes, string context)
    {
        using var read = log.Read(offset, maxBytes);
        if (offset == log.LogEndOffset)
        {
            Check(read.IsEmpty, $"{context}: a read at the log end returned data");
            return;
        }

        var next = -1L;
        foreach (var batch in RecordBatch.ReadAll(read.Records))
        {
            foreach (var record in batch.GetRecords())
            {
                Check(next < 0 || record.Offset == next, $"{context}: a read at {offset} skipped from {next - 1} to {record.Offset}");
                Check(_values.TryGetValue(record.Offset, out var value) && record.Value is { } v && v.Span.SequenceEqual(value),
                    $"{context}: a read at {offset} returned wrong data at offset {record.Offset}");
                next = record.Offset + 1;
            }
        }

        Check(next > offset, $"{context}: a read at {offset} did not return that offset");
    }

    private void DropFrom(long offset)
    {
        foreach (var key in _values.Keys.Where(k => k >= offset).ToList())
        {
            _values.Remove(key);
        }

        _batchStarts.RemoveWhere(s => s >= offset);
    }

    public static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new ModelViolationException(message);
        }
    }
}

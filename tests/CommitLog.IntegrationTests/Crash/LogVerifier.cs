using CommitLog.CrashChild;
using CommitLog.Storage;

namespace CommitLog.IntegrationTests.Crash;

/// <summary>
/// Reopens a log the crash child wrote and checks it against every acknowledgement and against what earlier
/// verifications saw: reopen succeeds, offsets are dense from the log start to the log end, every record is a
/// well-formed child record, no (writer, sequence) appears twice, every acknowledged record still in the log is at
/// its acknowledged offset, an offset never changes its record, and the log start never moves back.
/// </summary>
internal sealed class LogVerifier
{
    private Dictionary<long, long> _seen = [];
    private long _logStart;

    /// <summary>Gets how many records the last verification read.</summary>
    public int Records => _seen.Count;

    public long LogStartOffset => _logStart;

    public long LogEndOffset { get; private set; }

    public int SegmentCount { get; private set; }

    /// <summary>Gets the acknowledged records checked in all verifications.</summary>
    public long AckedRecordsChecked { get; private set; }

    /// <summary>Gets the acknowledged records that retention had already deleted when they were checked.</summary>
    public long AckedRecordsRetained { get; private set; }

    /// <summary>Verifies <paramref name="directory"/> and leaves the log closed cleanly. <paramref name="context"/> goes into every failure message.</summary>
    public void Verify(string directory, IReadOnlyList<Ack> acks, Durability expectedDurability, string context)
    {
        PartitionLog log;
        try
        {
            log = PartitionLog.Open(directory, new LogOptions { RetentionMs = null, RetentionCheckInterval = null });
        }
        catch (Exception e)
        {
            Assert.Fail($"{context}: reopening the log failed: {e}");
            throw;
        }

        using (log)
        {
            VerifyOpen(log, acks, expectedDurability, context);
        }
    }

    /// <summary>Verifies an open log (as <see cref="Verify"/> does after reopening it).</summary>
    public void VerifyOpen(PartitionLog log, IReadOnlyList<Ack> acks, Durability expectedDurability, string context)
    {
        var logStart = log.LogStartOffset;
        var logEnd = log.LogEndOffset;
        Assert.True(logStart >= _logStart, $"{context}: the log start offset moved back from {_logStart} to {logStart}.");
        var records = ReadAll(log, logStart, logEnd, context);
        foreach (var (offset, key) in _seen)
        {
            if (offset >= logStart)
            {
                Assert.True(records.TryGetValue(offset, out var now), $"{context}: offset {offset}, present at the previous reopen, is gone (log end {logEnd}).");
                Assert.True(now == key, $"{context}: offset {offset} held {Describe(key)} at the previous reopen and now holds {Describe(now)}.");
            }
        }

        foreach (var ack in acks)
        {
            Assert.True(ack.Durability == expectedDurability, $"{context}: {ack} reports durability {ack.Durability}, expected {expectedDurability}.");
            for (var offset = ack.First; offset <= ack.Last; offset++)
            {
                AckedRecordsChecked++;
                if (offset < logStart)
                {
                    AckedRecordsRetained++;
                    continue;
                }

                Assert.True(records.TryGetValue(offset, out var key),
                    $"{context}: acknowledged record lost: {ack}, offset {offset} is not in the log (log start {logStart}, log end {logEnd}).");
                Assert.True(key == ack.KeyAt(offset),
                    $"{context}: offset {offset} holds {Describe(key)}, but {ack} acknowledged {Describe(ack.KeyAt(offset))} there.");
            }
        }

        _seen = records;
        _logStart = logStart;
        LogEndOffset = logEnd;
        SegmentCount = log.SegmentCount;
    }

    private static Dictionary<long, long> ReadAll(PartitionLog log, long logStart, long logEnd, string context)
    {
        var records = new Dictionary<long, long>();
        var keys = new HashSet<long>();
        var expected = logStart;
        var offset = logStart;
        while (offset < logEnd)
        {
            using var read = log.Read(offset, 1 << 20);
            Assert.False(read.IsEmpty, $"{context}: reading offset {offset} returned nothing, but the log end is {logEnd}.");
            foreach (var batch in RecordBatch.ReadAll(read.Records))
            {
                foreach (var record in batch.GetRecords())
                {
                    if (record.Offset < logStart)
                    {
                        continue;
                    }

                    Assert.True(record.Offset == expected, $"{context}: offsets not dense: expected {expected}, found {record.Offset}.");
                    expected++;
                    int writer = -1;
                    long seq = -1;
                    Assert.True(record.Value is { } value && CrashRecord.TryDecode(value.Span, out writer, out seq),
                        $"{context}: the record at offset {record.Offset} is not a well-formed child record.");
                    var key = CrashRecord.Key(writer, seq);
                    Assert.True(keys.Add(key), $"{context}: {Describe(key)} appears twice (again at offset {record.Offset}).");
                    records.Add(record.Offset, key);
                }
            }

            Assert.True(read.NextOffset > offset, $"{context}: a read at {offset} did not advance.");
            offset = read.NextOffset;
        }

        Assert.True(expected == logEnd, $"{context}: the records end at {expected}, but the log end offset is {logEnd}.");
        return records;
    }

    private static string Describe(long key) => $"writer {key >> 40} seq {key & ((1L << 40) - 1)}";
}

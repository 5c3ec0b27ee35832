using CommitLog.Storage.Tests.Log;
using CommitLog.TestKit;

namespace CommitLog.Storage.Tests.Reliability;

/// <summary>
/// A small log for <see cref="BadInputTests"/>: several segments, a leader epoch and a log start above 0. It remembers
/// every batch it holds, so that after a refused call it can check nothing changed and that a reopen reads them back.
/// </summary>
internal sealed class BadInputLog : IAsyncDisposable
{
    public const int MaxMessageBytes = 4096;
    public const int Epoch = 3;
    private const string Directory = "/data/bad-input-0";
    private readonly SimulatedStorage _disk = new();
    private List<byte[]> _batches = [];
    private long _start;
    private long _end;

    private BadInputLog()
    {
        Log = PartitionLog.Open(Directory, Options());
    }

    public PartitionLog Log { get; private set; }

    public static LogOptions OptionsFor(SimulatedStorage disk) => new()
    {
        Storage = disk,
        SegmentBytes = 1024,
        MaxMessageBytes = MaxMessageBytes,
        IndexIntervalBytes = 128,
        RetentionMs = null,
        RetentionCheckInterval = null,
    };

    public static async Task<BadInputLog> CreateAsync(CancellationToken cancellationToken)
    {
        var fixture = new BadInputLog();
        fixture.Log.SetLeaderEpoch(Epoch);
        for (var i = 0; i < 12; i++)
        {
            await fixture.Log.AppendAsync(TestBatches.Make(1 + (i % 3), i * 10, 40 + (i * 7)), cancellationToken);
        }

        fixture.Log.DeleteRecordsBefore(2);
        LogModel.Check(fixture.Log.SegmentCount > 2 && fixture.Log.LogStartOffset == 2, "the fixture log has too few segments or no log start");
        fixture.Capture();
        return fixture;
    }

    public LogOptions Options() => OptionsFor(_disk);

    /// <summary>Checks the open log is unchanged (if still open), closes it, reopens it, checks it again and appends.</summary>
    public async Task VerifyUnchangedAndReopenAsync(CancellationToken cancellationToken)
    {
        if (!IsDisposed(Log))
        {
            Verify("before reopening");
            await Log.DisposeAsync();
        }

        Log = PartitionLog.Open(Directory, Options());
        Verify("after reopening");
        var appended = await Log.AppendAsync(TestBatches.Make(2, 7_000), cancellationToken);
        LogModel.Check(appended.FirstOffset == _end, $"an append after reopening landed at {appended.FirstOffset}, expected {_end}");
        LogModel.Check(TestBatches.ReadAll(Log, _end) is [(_, 7_000), (_, 7_001)], "the append after reopening does not read back");
    }

    public async ValueTask DisposeAsync() => await Log.DisposeAsync();

    private static bool IsDisposed(PartitionLog log)
    {
        try
        {
            log.GetLeaderEpochs();
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }

    private void Capture()
    {
        _start = Log.LogStartOffset;
        _end = Log.LogEndOffset;
        _batches = ReadBatches();
    }

    private void Verify(string context)
    {
        LogModel.Check(Log.LogStartOffset == _start && Log.LogEndOffset == _end,
            $"{context}: the log holds {Log.LogStartOffset}..{Log.LogEndOffset}, expected {_start}..{_end}");
        var batches = ReadBatches();
        LogModel.Check(batches.Count == _batches.Count && batches.Zip(_batches).All(p => p.First.AsSpan().SequenceEqual(p.Second)),
            $"{context}: the log reads back {batches.Count} batches, not the {_batches.Count} it held");
        LogModel.Check(Log.LeaderEpoch == Epoch && Log.GetLeaderEpochs() is [(Epoch, _)], $"{context}: leader epochs [{string.Join(", ", Log.GetLeaderEpochs())}]");
    }

    private List<byte[]> ReadBatches()
    {
        var batches = new List<byte[]>();
        for (var offset = Log.LogStartOffset; offset < Log.LogEndOffset;)
        {
            using var read = Log.Read(offset, 200);
            foreach (var batch in RecordBatch.ReadAll(read.Records))
            {
                batches.Add(batch.Memory.ToArray());
            }

            offset = read.NextOffset;
        }

        return batches;
    }
}

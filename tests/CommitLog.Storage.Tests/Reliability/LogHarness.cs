using CommitLog.Storage.IO;
using CommitLog.Storage.Tests.Log;
using CommitLog.TestKit;
using Microsoft.Extensions.Time.Testing;

namespace CommitLog.Storage.Tests.Reliability;

/// <summary>
/// A partition log on a <see cref="SimulatedStorage"/>, driven step by step alongside a <see cref="LogModel"/>.
/// Every open goes through a fresh <see cref="ProbeStorage"/>; the harness can make the "process" die after a given
/// number of mutating storage calls counted over the whole run (<see cref="CrashAt"/>), after which every step throws
/// <see cref="ProcessDiedException"/> and <see cref="CrashAndReopenAsync"/> models the power loss.
/// </summary>
internal sealed class LogHarness : IAsyncDisposable
{
    public const string Directory = "/data/topic-0";
    private long _callsBefore;
    private long _nextSeq;

    public LogHarness(long crashAt = long.MaxValue, int diskSeed = 0)
    {
        CrashAt = crashAt;
        Disk = new SimulatedStorage(diskSeed);
    }

    public SimulatedStorage Disk { get; }

    public LogModel Model { get; } = new();

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));

    public long CrashAt { get; }

    public ProbeStorage Probe { get; private set; } = null!;

    public PartitionLog Log { get; private set; } = null!;

    public FlushPolicy Policy { get; private set; } = FlushPolicy.Os;

    public long SegmentBytes { get; init; } = 2048;

    public long RetentionBytes { get; init; } = 12 * 1024;

    public RecoveryMode RecoveryMode { get; init; } = RecoveryMode.Strict;

    /// <summary>Gets the mutating storage calls made by every open so far.</summary>
    public long TotalCalls => _callsBefore + (Probe?.MutatingCalls ?? 0);

    public LogOptions Options(ISegmentStorage storage, FlushPolicy policy) => new()
    {
        Storage = storage,
        FlushPolicy = policy,
        SegmentBytes = SegmentBytes,
        RetentionBytes = RetentionBytes,
        RetentionMs = null,
        RetentionCheckInterval = null,
        IndexIntervalBytes = 256,
        TimeProvider = Time,
        RecoveryMode = RecoveryMode,
    };

    public void Open(FlushPolicy policy)
    {
        _callsBefore = TotalCalls;
        Policy = policy;
        Probe = new ProbeStorage(Disk) { DieAfter = CrashAt == long.MaxValue ? long.MaxValue : Math.Max(0, CrashAt - _callsBefore) };
        Log = Step(() => PartitionLog.Open(Directory, Options(Probe, policy)));
    }

    /// <summary>Appends one buffer of batches with the given record counts and value size, unique values each.</summary>
    public async Task AppendAsync(int[] recordsPerBatch, int valueSize, CancellationToken cancellationToken)
    {
        var batches = new List<(int, byte[][])>();
        var buffer = new List<byte>();
        foreach (var records in recordsPerBatch)
        {
            var seq = _nextSeq;
            _nextSeq += records;
            buffer.AddRange(TestBatches.Make(records, seq, valueSize));
            batches.Add((records, Enumerable.Range(0, records).Select(i => TestBatches.Value(seq + i, valueSize)).ToArray()));
        }

        var expectedFirst = Model.MaybeEnd;
        Model.BeginAppend(batches);
        AppendResult result;
        try
        {
            result = await Log.AppendAsync(buffer.ToArray(), cancellationToken);
        }
        catch (Exception e) when (!Probe.IsDead && e is not ModelViolationException)
        {
            Model.AbortAppend(Log.LogEndOffset);
            throw;
        }
        catch (Exception e) when (Probe.IsDead)
        {
            throw new ProcessDiedException(e);
        }

        Model.CommitAppend(result, expectedFirst);
        AfterStep();
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var end = Log.LogEndOffset;
        await StepAsync(() => Log.FlushAsync(cancellationToken).AsTask());
        Model.Flushed(end);
        AfterStep();
    }

    public void Roll()
    {
        Step(() => { Log.Roll(); return 0; });
        AfterStep();
    }

    public void TruncateTo(long offset)
    {
        offset = Math.Clamp(offset, Model.Start, Model.End);
        var newEnd = offset >= Model.End ? Model.End : Model.BatchStartOf(offset);
        Model.BeginTruncate(newEnd);
        Step(() => { Log.TruncateTo(offset); return 0; });
        LogModel.Check(Log.LogEndOffset == newEnd, $"TruncateTo({offset}) left the log end at {Log.LogEndOffset}, expected the batch start {newEnd}");
        LogModel.Check(Log.LogEndOffset >= Log.LogStartOffset, $"TruncateTo({offset}) left the log end {Log.LogEndOffset} below the log start {Log.LogStartOffset}");
        Model.CommitTruncate(newEnd);
        AfterStep();
    }

    public void DeleteRecordsBefore(long offset)
    {
        offset = Math.Clamp(offset, 0, Model.End);
        Model.BeginStartMove(Math.Max(offset, Log.SegmentBaseOffsets[^1]));
        Step(() => { Log.DeleteRecordsBefore(offset); return 0; });
        LogModel.Check(Log.LogStartOffset >= offset, $"DeleteRecordsBefore({offset}) left the log start at {Log.LogStartOffset}");
        Model.CommitStart(Log.LogStartOffset);
        AfterStep();
    }

    public void EnforceRetention()
    {
        Model.BeginStartMove(Log.SegmentBaseOffsets[^1]);
        Step(() => Log.EnforceRetention());
        Model.CommitStart(Log.LogStartOffset);
        AfterStep();
    }

    public void Read(long offset, int maxBytes)
    {
        offset = Math.Clamp(offset, Log.LogStartOffset, Log.LogEndOffset);
        Step(() => { Model.VerifyRead(Log, offset, maxBytes, $"read at {offset}"); return 0; });
    }

    public void VerifyAll(string context) => Step(() => { Model.VerifyContent(Log, context); return 0; });

    /// <summary>Closes the log cleanly and reopens it with <paramref name="policy"/>; everything written must be there.</summary>
    public async Task CloseAndReopenAsync(FlushPolicy policy)
    {
        await Log.DisposeAsync();
        if (Probe.IsDead)
        {
            throw new ProcessDiedException(null);
        }

        Open(policy);
        Step(() => { Model.VerifyReopened(Log, null, "clean reopen"); return 0; });
    }

    /// <summary>
    /// Kills the process, applies a power loss to the disk, reopens and verifies. A crash in the middle of a run keeps
    /// counting towards <see cref="CrashAt"/> (so recovery itself can be cut short); the final one (<paramref name="final"/>) does not.
    /// </summary>
    public async Task CrashAndReopenAsync(PowerLossMode mode, int seed, FlushPolicy? policy = null, bool final = false)
    {
        Probe?.Kill();
        Disk.Crash(mode, seed);
        Model.OnCrash(mode);
        if (Log is not null)
        {
            await Log.DisposeAsync(); // the zombie: every call it makes fails, so it cannot touch the disk
        }

        Log = null!;
        _callsBefore = TotalCalls;
        Policy = policy ?? Policy;
        Probe = new ProbeStorage(Disk) { DieAfter = final || CrashAt == long.MaxValue ? long.MaxValue : Math.Max(0, CrashAt - _callsBefore) };
        Log = Step(() => PartitionLog.Open(Directory, Options(Probe, Policy)));
        Step(() => { Model.VerifyReopened(Log, mode, $"reopen after {mode} (seed {seed})"); return 0; });
    }

    /// <summary>After a reopen: an append lands at the log end and reads back.</summary>
    public async Task AppendAfterReopenAsync(CancellationToken cancellationToken)
    {
        var end = Log.LogEndOffset;
        await AppendAsync([3, 1], 40, cancellationToken);
        LogModel.Check(Log.LogEndOffset == end + 4, $"an append after reopen moved the log end from {end} to {Log.LogEndOffset}");
        Model.VerifyContent(Log, "after the append following reopen");
    }

    public async ValueTask DisposeAsync()
    {
        if (Log is not null)
        {
            await Log.DisposeAsync();
        }
    }

    private void AfterStep()
    {
        if (!Probe.IsDead)
        {
            Model.ObserveRecoveryPoint(Log.RecoveryPoint, Log.LogEndOffset);
        }
    }

    private T Step<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (Probe.IsDead && e is not ModelViolationException)
        {
            throw new ProcessDiedException(e);
        }
    }

    private async Task StepAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (Probe.IsDead && e is not ModelViolationException)
        {
            throw new ProcessDiedException(e);
        }
    }
}

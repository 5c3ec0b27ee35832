using System.Diagnostics;
using CommitLog.Storage.IO;
using Microsoft.Extensions.Logging;

namespace CommitLog.Storage;

/// <summary>
/// One partition's durable, append-only log: a directory of segment files holding Kafka RecordBatch v2 batches
/// at dense, monotonic offsets.
/// </summary>
/// <remarks>
/// <para>Thread-safety: every member is safe to call concurrently. Appends are serialized internally; reads never
/// block appends and never see a partial batch.</para>
/// <para>Durability: each append completes with the <see cref="Durability"/> it reached, as set by
/// <see cref="LogOptions.FlushPolicy"/>. A failed flush fail-stops the log: appends then throw
/// <see cref="LogStorageException"/> until the log is reopened, while reads keep working.</para>
/// <para>Only one instance, in one process, may open a directory at a time (enforced with a lock file).</para>
/// </remarks>
public sealed partial class PartitionLog : IAsyncDisposable, IDisposable
{
    private readonly string _directory;
    private readonly string _name;
    private readonly LogOptions _options;
    private readonly ISegmentStorage _storage;
    private readonly IDisposable _directoryLock;
    private readonly ILogger _logger;
    private readonly Lock _appendLock = new();
    private readonly Lock _checkpointLock = new();
    private readonly LogFlusher _flusher;
    private readonly DataSignal _dataSignal = new();
    private readonly LeaderEpochCache _epochs;
    private readonly PartitionCheckpointFile _checkpointFile;
    private LogSegment[] _segments = [];
    private long _logEndOffset;
    private long _logStartOffset;
    private long _highWatermark;
    private long _unflushedMessages;
    private int _leaderEpoch;
    private FlushPoint _recoveryPoint;
    private long _lastCheckpointAt;
    private long _truncations;
    private bool _checkpointDue;
    private ITimer? _flushTimer;
    private ITimer? _retentionTimer;
    private volatile LogStorageException? _failure;
    private int _disposed;

    private PartitionLog(string directory, LogOptions options, ISegmentStorage storage, IDisposable directoryLock)
    {
        _directory = directory;
        _name = Path.GetFileName(directory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        _options = options;
        _storage = storage;
        _directoryLock = directoryLock;
        _logger = options.LoggerFactory.CreateLogger("CommitLog.Storage");
        _epochs = new LeaderEpochCache(storage, directory);
        _checkpointFile = new PartitionCheckpointFile(storage, directory);
        _flusher = new LogFlusher(FlushToEnd, OnFlushFailed);
    }

    /// <summary>Gets the partition directory.</summary>
    public string Directory => _directory;

    /// <summary>Gets the settings the log was opened with.</summary>
    public LogOptions Options => _options;

    /// <summary>Gets the first offset still in the log.</summary>
    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    /// <summary>Gets the offset the next appended record will get.</summary>
    public long LogEndOffset => Volatile.Read(ref _logEndOffset);

    /// <summary>Gets the offset below which every record is flushed to the device.</summary>
    public long RecoveryPoint => _flusher.Flushed;

    /// <summary>
    /// Gets the offset below which records are visible to consumers. Equal to <see cref="LogEndOffset"/> unless
    /// <see cref="LogOptions.ReplicatedHighWatermark"/> is set; then it is the value last given to
    /// <see cref="UpdateHighWatermark"/> (or restored from the checkpoint), between <see cref="LogStartOffset"/> and
    /// <see cref="LogEndOffset"/>.
    /// </summary>
    public long HighWatermark => _options.ReplicatedHighWatermark ? Volatile.Read(ref _highWatermark) : LogEndOffset;

    /// <summary>Gets the leader epoch stamped on appended batches.</summary>
    public int LeaderEpoch => Volatile.Read(ref _leaderEpoch);

    /// <summary>Gets the number of segments.</summary>
    public int SegmentCount => Volatile.Read(ref _segments).Length;

    /// <summary>Gets the size of all segment files in bytes.</summary>
    public long Size
    {
        get
        {
            long total = 0;
            foreach (var segment in Volatile.Read(ref _segments))
            {
                total += segment.Size;
            }

            return total;
        }
    }

    /// <summary>Gets the base offsets of the segments, oldest first.</summary>
    public IReadOnlyList<long> SegmentBaseOffsets => Array.ConvertAll(Volatile.Read(ref _segments), s => s.BaseOffset);

    /// <summary>Gets a value indicating whether a failed flush stopped the log from accepting writes.</summary>
    public bool IsFailStopped => _failure is not null;

    private LogSegment Active => Volatile.Read(ref _segments)[^1];

    private long NowMs => _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Opens the log in <paramref name="directory"/>, creating it if needed, and recovers it after an unclean
    /// shutdown: unflushed batches are re-validated and a torn tail is truncated.
    /// </summary>
    /// <param name="directory">The partition directory.</param>
    /// <param name="options">The settings, or <see langword="null"/> for the defaults.</param>
    /// <returns>The open log.</returns>
    /// <exception cref="LogDirectoryLockedException">Another process or instance has the directory open.</exception>
    /// <exception cref="CorruptRecordException">Flushed data is damaged (only in <see cref="RecoveryMode.Strict"/>).</exception>
    /// <exception cref="IOException">The storage failed.</exception>
    public static PartitionLog Open(string directory, LogOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        options ??= LogOptions.Default;
        var storage = options.Storage ?? FileSegmentStorage.Instance;
        directory = Path.GetFullPath(directory);
        CreateDirectoryDurably(storage, directory);
        var directoryLock = storage.LockDirectory(directory);
        var log = new PartitionLog(directory, options, storage, directoryLock);
        try
        {
            log.Load();
        }
        catch
        {
            log.CloseSegmentsQuietly();
            directoryLock.Dispose();
            throw;
        }

        return log;
    }

    /// <summary>Creates the directory and any missing parents, syncing each parent so the new entries survive power loss.</summary>
    private static void CreateDirectoryDurably(ISegmentStorage storage, string directory)
    {
        var missing = new Stack<string>();
        for (var d = directory; !string.IsNullOrEmpty(d) && !storage.DirectoryExists(d); d = Path.GetDirectoryName(d))
        {
            missing.Push(d);
        }

        storage.CreateDirectory(directory);
        while (missing.TryPop(out var created))
        {
            if (Path.GetDirectoryName(created) is { Length: > 0 } parent)
            {
                storage.SyncDirectory(parent);
            }
        }
    }

    /// <summary>Starts stamping appended batches with <paramref name="epoch"/>; the epoch begins at the current log end offset.</summary>
    /// <param name="epoch">The new leader epoch; not lower than the current one.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is below the current epoch.</exception>
    public void SetLeaderEpoch(int epoch)
    {
        ThrowIfDisposed();
        lock (_appendLock)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(epoch, _leaderEpoch);
            _leaderEpoch = epoch;
            _epochs.Assign(epoch, _logEndOffset);
            ReportEpochWriteError();
        }
    }

    /// <summary>
    /// Returns the largest leader epoch at most <paramref name="epoch"/> and the offset where it ended (KIP-101), or
    /// (-1, -1) if the log knows no such epoch.
    /// </summary>
    public (int Epoch, long EndOffset) EndOffsetForEpoch(int epoch)
    {
        ThrowIfDisposed();
        lock (_appendLock)
        {
            return _epochs.EndOffsetFor(epoch, _logEndOffset);
        }
    }

    /// <summary>Returns the leader-epoch cache: each epoch and the first offset written in it.</summary>
    public IReadOnlyList<(int Epoch, long StartOffset)> GetLeaderEpochs()
    {
        ThrowIfDisposed();
        lock (_appendLock)
        {
            return [.. _epochs.Entries];
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private void ThrowIfFailStopped()
    {
        if (_failure is { } failure)
        {
            throw new LogStorageException(failure.Message, failure.InnerException, isFailStopped: true) { LogDirectory = _directory };
        }
    }

    private LogStorageException OnFlushFailed(Exception exception)
    {
        _failure ??= new LogStorageException(
            $"Flushing log '{_directory}' failed ({exception.Message}). The log stopped accepting writes: data that was not confirmed flushed may be lost. Reads still work; reopen the log to recover.",
            exception, isFailStopped: true) { LogDirectory = _directory };
        StorageMetrics.FlushFailures.Add(1, StorageMetrics.Tags(_name));
        LogMessages.FlushFailed(_logger, exception, _directory);
        return _failure;
    }

    /// <summary>Wraps a storage failure of an operation that changed nothing the caller relies on (the log keeps working).</summary>
    private LogStorageException StorageFailed(string operation, IOException error)
        => new($"{operation} on log '{_directory}' failed: {error.Message}", error) { LogDirectory = _directory };

    private void StartBackground()
    {
        _flusher.Start(_recoveryPoint.Offset);
        _lastCheckpointAt = Stopwatch.GetTimestamp();
        if (_options.FlushPolicy.Interval is { } interval && !_options.FlushPolicy.IsBeforeAck)
        {
            _flushTimer = _options.TimeProvider.CreateTimer(static s => ((PartitionLog)s!)._flusher.Request(), this, interval, interval);
        }

        if (_options.RetentionCheckInterval is { } retention)
        {
            _retentionTimer = _options.TimeProvider.CreateTimer(static s => ((PartitionLog)s!).RunScheduledRetention(), this, retention, retention);
        }
    }

    private void RunScheduledRetention()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            EnforceRetention();
        }
#pragma warning disable CA1031 // Timer boundary: retention retries at the next tick; the failure is logged.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogMessages.RetentionFailed(_logger, e, _directory);
        }
    }

    /// <summary>A position in the log: an offset and where it lies in which segment.</summary>
    private readonly record struct FlushPoint(long Offset, long SegmentBase, long Position);
}

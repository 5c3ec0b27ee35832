using CommitLog.Storage;

namespace CommitLog;

/// <summary>What a partition fetcher hands to the consumer: fetched batches, or a notice (end reached, position reset, error).</summary>
internal sealed class FetchedChunk
{
    private FetchedChunk(FetchedChunkKind kind, long offset, LogReadResult? data, int chargedBytes, Exception? error)
    {
        Kind = kind;
        Offset = offset;
        Data = data;
        ChargedBytes = chargedBytes;
        Error = error;
    }

    public FetchedChunkKind Kind { get; }

    /// <summary>Gets the offset fetched from (data), reached (end), reset to, or that failed (error).</summary>
    public long Offset { get; }

    /// <summary>Gets the fetched batches (pooled memory: dispose when done), for <see cref="FetchedChunkKind.Data"/>.</summary>
    public LogReadResult? Data { get; }

    /// <summary>Gets the bytes charged to the consumer's <see cref="FetchBudget"/>.</summary>
    public int ChargedBytes { get; }

    public Exception? Error { get; }

    public static FetchedChunk ForData(LogReadResult data, int chargedBytes) => new(FetchedChunkKind.Data, data.RequestedOffset, data, chargedBytes, null);

    public static FetchedChunk ForEnd(long offset) => new(FetchedChunkKind.EndOfPartition, offset, null, 0, null);

    public static FetchedChunk ForReset(long offset) => new(FetchedChunkKind.Reset, offset, null, 0, null);

    public static FetchedChunk ForError(long offset, Exception error) => new(FetchedChunkKind.Error, offset, null, 0, error);
}

/// <summary>The kinds of <see cref="FetchedChunk"/>.</summary>
internal enum FetchedChunkKind
{
    /// <summary>Whole batches starting with the one holding the requested offset.</summary>
    Data,

    /// <summary>The fetch position reached the high watermark (<c>enable.partition.eof</c>).</summary>
    EndOfPartition,

    /// <summary>The position was out of range and was reset per <c>auto.offset.reset</c>.</summary>
    Reset,

    /// <summary>Fetching failed; the fetcher stopped.</summary>
    Error,
}

/// <summary>The fetch settings of a consumer, shared by its partition fetchers.</summary>
/// <param name="MaxPartitionFetchBytes">The most bytes per read and the per-partition prefetch bound (<c>max.partition.fetch.bytes</c>).</param>
/// <param name="MinBytes">The bytes a read waits for (<c>fetch.min.bytes</c>).</param>
/// <param name="MaxWait">How long a read waits for them (<c>fetch.max.wait.ms</c>).</param>
/// <param name="EnablePartitionEof">Whether reaching the end is reported (<c>enable.partition.eof</c>).</param>
/// <param name="Reset">What to do when a position is out of range (<c>auto.offset.reset</c>).</param>
/// <param name="Time">The clock for fetch latency.</param>
internal sealed record FetchSettings(
    int MaxPartitionFetchBytes, int MinBytes, TimeSpan MaxWait, bool EnablePartitionEof, AutoOffsetReset Reset, TimeProvider Time);

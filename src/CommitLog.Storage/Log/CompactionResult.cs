namespace CommitLog.Storage;

/// <summary>What one run of the log cleaner (<see cref="PartitionLog.CompactAsync"/>) did.</summary>
public sealed class CompactionResult
{
    /// <summary>Gets a value indicating whether segments were rewritten.</summary>
    public bool Cleaned { get; init; }

    /// <summary>Gets why nothing was cleaned, or <see langword="null"/> when <see cref="Cleaned"/> is set.</summary>
    public string? SkipReason { get; init; }

    /// <summary>Gets the dirty ratio found: bytes not yet cleaned over all cleanable bytes (0 when there is nothing cleanable).</summary>
    public double DirtyRatio { get; init; }

    /// <summary>Gets the end of the cleanable range: the first offset the run did not clean (the base of the first segment it left alone).</summary>
    public long CleanableEndOffset { get; init; }

    /// <summary>Gets the number of segments that were replaced.</summary>
    public int SegmentsBefore { get; init; }

    /// <summary>Gets the number of cleaned segments that replaced them.</summary>
    public int SegmentsAfter { get; init; }

    /// <summary>Gets the size of the replaced segments in bytes.</summary>
    public long BytesBefore { get; init; }

    /// <summary>Gets the size of the cleaned segments in bytes.</summary>
    public long BytesAfter { get; init; }

    /// <summary>Gets the number of records removed (superseded by a later record with the same key, expired tombstones, keyless records).</summary>
    public long RecordsRemoved { get; init; }

    /// <summary>Gets how many of <see cref="RecordsRemoved"/> were tombstones past <see cref="LogOptions.DeleteRetention"/>.</summary>
    public long TombstonesRemoved { get; init; }

    internal static CompactionResult Skipped(string reason, double ratio = 0, long end = -1)
        => new() { SkipReason = reason, DirtyRatio = ratio, CleanableEndOffset = end };
}

namespace CommitLog;

/// <summary>The offsets that bound a partition's readable records: <see cref="Low"/> (the log start offset) and
/// <see cref="High"/> (the high watermark: the offset the next record will get).</summary>
/// <param name="Low">The first offset still stored (the log start offset).</param>
/// <param name="High">The high watermark: one past the last readable record.</param>
public readonly record struct WatermarkOffsets(Offset Low, Offset High);

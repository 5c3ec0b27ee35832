namespace CommitLog.Storage;

/// <summary>
/// The in-memory arrays of an active segment's index. When a segment is sealed its index switches to lookups in
/// its file and hands these arrays to the next active segment, so a log keeps one set of index arrays however many
/// segments it has, and appends allocate nothing in steady state.
/// </summary>
internal sealed record IndexBuffers(long[] Keys, int[] Values);

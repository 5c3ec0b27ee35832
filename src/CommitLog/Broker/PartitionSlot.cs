using CommitLog.Storage;

namespace CommitLog;

/// <summary>
/// Holds one partition's open log. A config change swaps the log for one reopened with the new settings; while it
/// does, <see cref="Swapping"/> is set, so that a caller who hit the closed log waits for the new one and retries.
/// </summary>
internal sealed class PartitionSlot(PartitionLog log)
{
    public PartitionLog Log
    {
        get => Volatile.Read(ref field);
        set => Volatile.Write(ref field, value);
    } = log;

    /// <summary>Gets or sets the swap in progress, completed when <see cref="Log"/> holds the reopened log.</summary>
    public Task? Swapping
    {
        get => Volatile.Read(ref field);
        set => Volatile.Write(ref field, value);
    }

    /// <summary>After <paramref name="used"/> threw <see cref="ObjectDisposedException"/>, returns whether a retry with
    /// the current log may succeed (waiting for a swap in progress first).</summary>
    public async ValueTask<bool> WaitForReplacementAsync(PartitionLog used, CancellationToken cancellationToken)
    {
        if (Swapping is { } swap)
        {
            await swap.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return !ReferenceEquals(Log, used);
    }
}

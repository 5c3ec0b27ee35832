namespace CommitLog.TestKit;

/// <summary>One call recorded by <see cref="SimulatedStorage"/> or <see cref="TrackingStorage"/>.</summary>
/// <param name="Sequence">The position of the call in the log, from 1.</param>
/// <param name="Operation">The kind of call.</param>
/// <param name="Path">The file or directory the call concerned (the source, for a rename).</param>
/// <param name="Destination">The destination of a rename; otherwise null.</param>
/// <param name="Failed">Whether the call threw.</param>
public sealed record StorageEvent(long Sequence, StorageOperation Operation, string Path, string? Destination, bool Failed)
{
    /// <inheritdoc />
    public override string ToString()
        => $"#{Sequence} {Operation} {Path}{(Destination is null ? "" : " -> " + Destination)}{(Failed ? " (failed)" : "")}";
}

namespace CommitLog.Replication.Control;

/// <summary>The outcome of applying one <see cref="MetadataCommand"/>.</summary>
/// <param name="Metadata">The metadata after the command (unchanged when rejected).</param>
/// <param name="Accepted">Whether the command changed anything.</param>
/// <param name="RejectReason">Why the command was rejected, or <see langword="null"/>.</param>
/// <param name="Elections">The leader changes the command caused.</param>
public sealed record MetadataChange(ClusterMetadata Metadata, bool Accepted, string? RejectReason, IReadOnlyList<LeaderElection> Elections);

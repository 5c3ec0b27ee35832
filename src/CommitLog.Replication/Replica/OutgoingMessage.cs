using CommitLog.Replication.Protocol;

namespace CommitLog.Replication.Replica;

/// <summary>A message the core wants sent: to a node (fetches, fetch responses) or back to a producer (produce responses).</summary>
/// <param name="To">The destination: a node id, or the sender id a produce request came from.</param>
/// <param name="Message">The message.</param>
internal readonly record struct OutgoingMessage(int To, ReplicationMessage Message);

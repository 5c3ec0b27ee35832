using CommitLog.Storage;

namespace CommitLog.Groups.Membership;

/// <summary>How a member's join and sync ended: the new generation's assignment, a fatal error, or stopped.</summary>
/// <param name="Assignment">The assigned partitions (success).</param>
/// <param name="Fatal">The error that stops the member (fenced, inconsistent protocol), or <see langword="null"/>.</param>
/// <param name="Stopped">The join was cancelled because the member leaves or is disposed.</param>
internal sealed record JoinOutcome(IReadOnlyList<TopicPartition> Assignment, CommitLogException? Fatal = null, bool Stopped = false);

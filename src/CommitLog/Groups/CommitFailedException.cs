using CommitLog.Storage;

namespace CommitLog;

/// <summary>
/// An offset commit was refused because the committing consumer is no longer the owner of its partitions: its
/// generation is stale, it was removed from the group (session timeout, <c>max.poll.interval.ms</c> exceeded, fenced by
/// a static member with the same <c>group.instance.id</c>), or it commits from outside the group while the group has
/// active members (Kafka's CommitFailedException). Nothing of the commit was stored. On a cluster node a commit also
/// fails with this exception when the in-sync replicas of <c>__consumer_offsets</c> do not acknowledge it
/// (<see cref="CommitLogException.ErrorCode"/> NotEnoughReplicas, NotLeaderOrFollower or RequestTimedOut; then
/// <see cref="IsRetriable"/> is true and <see cref="Exception.InnerException"/> is the replication error).
/// </summary>
/// <remarks>Fencing errors are not retriable as is: the consumer must rejoin (its next poll does) and consume again from
/// the committed offsets. Replication errors are: retry the same commit.</remarks>
public sealed class CommitFailedException : CommitLogException
{
    private readonly bool _retriable;

    internal CommitFailedException(ErrorCode errorCode, string groupId, string message, Exception? innerException = null, bool retriable = false)
        : base(errorCode, message, innerException)
    {
        GroupId = groupId;
        _retriable = retriable;
    }

    /// <summary>Gets the group the commit was for.</summary>
    public string GroupId { get; }

    /// <summary>Gets a value indicating whether retrying the same commit may succeed: false for fencing (the consumer must
    /// rejoin), true when a cluster's in-sync replicas did not acknowledge it (too few in sync, a lost leader, a timeout).</summary>
    public override bool IsRetriable => _retriable;
}

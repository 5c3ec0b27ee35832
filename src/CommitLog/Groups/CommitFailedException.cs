using CommitLog.Storage;

namespace CommitLog;

/// <summary>
/// An offset commit was refused because the committing consumer is no longer the owner of its partitions: its
/// generation is stale, it was removed from the group (session timeout, <c>max.poll.interval.ms</c> exceeded, fenced by
/// a static member with the same <c>group.instance.id</c>), or it commits from outside the group while the group has
/// active members (Kafka's CommitFailedException). Nothing of the commit was stored.
/// </summary>
/// <remarks>Not retriable as is: the consumer must rejoin (its next poll does) and consume again from the committed offsets.</remarks>
public sealed class CommitFailedException : CommitLogException
{
    internal CommitFailedException(ErrorCode errorCode, string groupId, string message)
        : base(errorCode, message)
    {
        GroupId = groupId;
    }

    /// <summary>Gets the group the commit was for.</summary>
    public string GroupId { get; }
}

using CommitLog.Storage;

namespace CommitLog;

/// <summary>An operation that needs a group without active members (an offset reset, a deletion) found members in it
/// (Kafka NON_EMPTY_GROUP). Stop the group's consumers first.</summary>
public sealed class GroupNotEmptyException : CommitLogException
{
    internal GroupNotEmptyException(string groupId, string message)
        : base(ErrorCode.NonEmptyGroup, message)
    {
        GroupId = groupId;
    }

    /// <summary>Gets the group.</summary>
    public string GroupId { get; }
}

using CommitLog.Storage;

namespace CommitLog;

/// <summary>The group has neither members nor committed offsets (Kafka GROUP_ID_NOT_FOUND).</summary>
public sealed class GroupIdNotFoundException : CommitLogException
{
    internal GroupIdNotFoundException(string groupId, string message)
        : base(ErrorCode.GroupIdNotFound, message)
    {
        GroupId = groupId;
    }

    /// <summary>Gets the group.</summary>
    public string GroupId { get; }
}

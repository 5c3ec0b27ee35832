using Microsoft.Extensions.Logging;

namespace CommitLog.Groups;

/// <summary>Every log line of the group coordinator and group members (category <c>CommitLog.Groups</c>). Event ids 2300-2399.</summary>
internal static partial class GroupLogMessages
{
    [LoggerMessage(2300, LogLevel.Information, "Group {GroupId}: member {MemberId} (instance {GroupInstanceId}, client {ClientId}) joined")]
    public static partial void MemberAdded(ILogger logger, string groupId, string memberId, string? groupInstanceId, string clientId);

    [LoggerMessage(2301, LogLevel.Information, "Group {GroupId}: preparing a rebalance from generation {GenerationId}: {Reason}")]
    public static partial void RebalanceStarted(ILogger logger, string groupId, int generationId, string reason);

    [LoggerMessage(2302, LogLevel.Information,
        "Group {GroupId}: generation {GenerationId} formed with protocol {Protocol}, {MemberCount} members, leader {Leader}")]
    public static partial void RebalanceCompleted(ILogger logger, string groupId, int generationId, string protocol, int memberCount, string leader);

    [LoggerMessage(2303, LogLevel.Information, "Group {GroupId}: removed member {MemberId} (instance {GroupInstanceId}): {Reason}")]
    public static partial void MemberRemoved(ILogger logger, string groupId, string memberId, string? groupInstanceId, string reason);

    [LoggerMessage(2304, LogLevel.Information,
        "Group {GroupId}: static member {GroupInstanceId} rejoined; member id {OldMemberId} is fenced and replaced by {NewMemberId}")]
    public static partial void StaticMemberReplaced(ILogger logger, string groupId, string groupInstanceId, string oldMemberId, string newMemberId);

    [LoggerMessage(2305, LogLevel.Information, "Group {GroupId}: generation {GenerationId} is stable")]
    public static partial void GroupStable(ILogger logger, string groupId, int generationId);

    [LoggerMessage(2306, LogLevel.Information, "Group {GroupId} is empty (generation {GenerationId})")]
    public static partial void GroupEmpty(ILogger logger, string groupId, int generationId);

    [LoggerMessage(2307, LogLevel.Information, "Group {GroupId} was deleted")]
    public static partial void GroupDeleted(ILogger logger, string groupId);

    [LoggerMessage(2320, LogLevel.Information,
        "Consumer {MemberId} joined group {GroupId} in generation {GenerationId} as {Role}: {PartitionCount} partitions assigned")]
    public static partial void MemberJoinedGeneration(ILogger logger, string memberId, string groupId, int generationId, string role, int partitionCount);

    [LoggerMessage(2321, LogLevel.Warning,
        "Consumer {MemberId} of group {GroupId} did not poll within max.poll.interval.ms ({MaxPollIntervalMs} ms) and leaves the group")]
    public static partial void PollIntervalExceeded(ILogger logger, string memberId, string groupId, double maxPollIntervalMs);

    [LoggerMessage(2322, LogLevel.Warning, "Consumer {MemberId} of group {GroupId} lost its partitions: {Reason}")]
    public static partial void PartitionsLost(ILogger logger, string memberId, string groupId, string reason);

    [LoggerMessage(2323, LogLevel.Information, "Consumer {MemberId} of group {GroupId} rejoins: {Reason}")]
    public static partial void Rejoining(ILogger logger, string memberId, string groupId, string reason);

    [LoggerMessage(2324, LogLevel.Debug, "Consumer {MemberId} of group {GroupId}: {Request} failed with {Error}; retrying")]
    public static partial void RequestRetried(ILogger logger, string memberId, string groupId, string request, CommitLog.Storage.ErrorCode error);

    [LoggerMessage(2325, LogLevel.Debug, "Consumer {MemberId} of group {GroupId}: JoinGroup answered generation {GenerationId}, leader {Leader}")]
    public static partial void JoinAnswered(ILogger logger, string memberId, string groupId, int generationId, string leader);

    [LoggerMessage(2326, LogLevel.Debug, "Consumer {MemberId} of group {GroupId}: SyncGroup answered generation {GenerationId}: {PartitionCount} partitions")]
    public static partial void SyncAnswered(ILogger logger, string memberId, string groupId, int generationId, int partitionCount);

    [LoggerMessage(2327, LogLevel.Warning, "Consumer {MemberId} of group {GroupId}: reading the replicated committed offsets failed; retrying")]
    public static partial void OffsetsCatchUpRetried(ILogger logger, Exception exception, string memberId, string groupId);
}

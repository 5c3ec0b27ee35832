using CommitLog.Storage;

namespace CommitLog.Groups.Coordinator;

// The group protocol's requests and responses, shaped like Kafka's messages of the same name so that a wire-protocol
// listener can map onto them field by field. Byte arrays are opaque to the coordinator (the consumer protocol's bytes).

/// <summary>One protocol (assignor) a member supports, with its subscription bytes.</summary>
/// <param name="Name">The protocol name, e.g. <c>range</c>.</param>
/// <param name="Metadata">The member's metadata for it (a <c>ConsumerProtocol</c> subscription).</param>
internal sealed record JoinGroupProtocol(string Name, byte[] Metadata);

/// <summary>Kafka's JoinGroup request.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="SessionTimeout">How long the coordinator waits for a heartbeat before removing the member.</param>
/// <param name="RebalanceTimeout">How long the coordinator waits for the member to rejoin in a rebalance.</param>
/// <param name="MemberId">The member id from an earlier join, or empty for a new member.</param>
/// <param name="GroupInstanceId">The static member id, if any (KIP-345).</param>
/// <param name="ProtocolType">The protocol type, <c>consumer</c> for consumers.</param>
/// <param name="Protocols">The supported protocols, most preferred first.</param>
/// <param name="ClientId">The member's <c>client.id</c>.</param>
/// <param name="ClientHost">The member's host: <c>in-process</c> or a network address.</param>
internal sealed record JoinGroupRequest(
    string GroupId,
    TimeSpan SessionTimeout,
    TimeSpan RebalanceTimeout,
    string MemberId,
    string? GroupInstanceId,
    string ProtocolType,
    IReadOnlyList<JoinGroupProtocol> Protocols,
    string ClientId = "",
    string ClientHost = "in-process");

/// <summary>A member as the leader sees it in the JoinGroup response.</summary>
/// <param name="MemberId">The member id.</param>
/// <param name="GroupInstanceId">The static id, if any.</param>
/// <param name="Metadata">Its metadata for the chosen protocol.</param>
internal sealed record JoinGroupResponseMember(string MemberId, string? GroupInstanceId, byte[] Metadata);

/// <summary>Kafka's JoinGroup response.</summary>
/// <param name="Error">None, or why the join failed.</param>
/// <param name="GenerationId">The new generation.</param>
/// <param name="ProtocolType">The group's protocol type.</param>
/// <param name="ProtocolName">The chosen protocol.</param>
/// <param name="Leader">The leader's member id.</param>
/// <param name="SkipAssignment">The leader must not compute a new assignment (a static leader rejoined without a rebalance).</param>
/// <param name="MemberId">The member's id (new for a new member).</param>
/// <param name="Members">Every member with its metadata, for the leader only; empty for the others.</param>
internal sealed record JoinGroupResponse(
    ErrorCode Error,
    int GenerationId,
    string? ProtocolType,
    string? ProtocolName,
    string Leader,
    bool SkipAssignment,
    string MemberId,
    IReadOnlyList<JoinGroupResponseMember> Members)
{
    /// <summary>Returns a failed response.</summary>
    public static JoinGroupResponse Failed(ErrorCode error, string memberId = "") => new(error, -1, null, null, string.Empty, false, memberId, []);
}

/// <summary>Kafka's SyncGroup request; only the leader sends assignments.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="GenerationId">The generation from the join.</param>
/// <param name="MemberId">The member id.</param>
/// <param name="GroupInstanceId">The static id, if any.</param>
/// <param name="ProtocolType">The protocol type, or <see langword="null"/> to skip the check.</param>
/// <param name="ProtocolName">The protocol name, or <see langword="null"/> to skip the check.</param>
/// <param name="Assignments">Each member's assignment bytes (leader), else empty.</param>
internal sealed record SyncGroupRequest(
    string GroupId,
    int GenerationId,
    string MemberId,
    string? GroupInstanceId,
    string? ProtocolType,
    string? ProtocolName,
    IReadOnlyDictionary<string, byte[]> Assignments);

/// <summary>Kafka's SyncGroup response.</summary>
/// <param name="Error">None, or why the sync failed.</param>
/// <param name="ProtocolType">The group's protocol type.</param>
/// <param name="ProtocolName">The group's protocol.</param>
/// <param name="Assignment">The member's assignment bytes.</param>
internal sealed record SyncGroupResponse(ErrorCode Error, string? ProtocolType, string? ProtocolName, byte[] Assignment)
{
    /// <summary>Returns a failed response.</summary>
    public static SyncGroupResponse Failed(ErrorCode error) => new(error, null, null, []);
}

/// <summary>Kafka's Heartbeat request.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="GenerationId">The member's generation.</param>
/// <param name="MemberId">The member id.</param>
/// <param name="GroupInstanceId">The static id, if any.</param>
internal sealed record HeartbeatRequest(string GroupId, int GenerationId, string MemberId, string? GroupInstanceId);

/// <summary>A member to remove in a LeaveGroup request: by member id, or by static id alone (admin removal).</summary>
/// <param name="MemberId">The member id, or empty.</param>
/// <param name="GroupInstanceId">The static id, if any.</param>
/// <param name="Reason">Why it leaves (logged).</param>
internal sealed record LeaveGroupMember(string MemberId, string? GroupInstanceId, string Reason = "the member left the group");

/// <summary>A group in the ListGroups answer.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="State">Its state.</param>
/// <param name="ProtocolType">Its protocol type (empty for a group that never had members).</param>
internal sealed record GroupListing(string GroupId, GroupState State, string ProtocolType);

/// <summary>A member in DescribeGroups.</summary>
/// <param name="MemberId">The member id.</param>
/// <param name="GroupInstanceId">The static id, if any.</param>
/// <param name="ClientId">The member's <c>client.id</c>.</param>
/// <param name="ClientHost">The member's host.</param>
/// <param name="Assignment">The assignment bytes.</param>
/// <param name="Partitions">The assignment decoded (consumer groups), or empty.</param>
internal sealed record GroupMemberDescription(
    string MemberId, string? GroupInstanceId, string ClientId, string ClientHost, byte[] Assignment, IReadOnlyList<TopicPartition> Partitions);

/// <summary>Kafka's DescribeGroups answer for one group.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="State">Its state.</param>
/// <param name="ProtocolType">Its protocol type.</param>
/// <param name="ProtocolName">The chosen protocol, empty unless Stable or CompletingRebalance.</param>
/// <param name="GenerationId">The current generation.</param>
/// <param name="Leader">The leader's member id, or empty.</param>
/// <param name="Members">The members.</param>
internal sealed record GroupDescription(
    string GroupId,
    GroupState State,
    string ProtocolType,
    string ProtocolName,
    int GenerationId,
    string Leader,
    IReadOnlyList<GroupMemberDescription> Members);

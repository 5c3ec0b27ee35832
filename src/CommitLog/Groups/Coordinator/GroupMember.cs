namespace CommitLog.Groups.Coordinator;

/// <summary>One member of a <see cref="ClassicGroup"/>, as the coordinator tracks it. Not thread-safe: the group's owner serializes access.</summary>
internal sealed class GroupMember(string memberId, JoinGroupRequest request)
{
    /// <summary>Gets or sets the member id (a rejoining static member gets a new one).</summary>
    public string MemberId { get; set; } = memberId;

    /// <summary>Gets the static id, if any.</summary>
    public string? GroupInstanceId { get; } = request.GroupInstanceId;

    /// <summary>Gets or sets the client id.</summary>
    public string ClientId { get; set; } = request.ClientId;

    /// <summary>Gets or sets the host.</summary>
    public string ClientHost { get; set; } = request.ClientHost;

    /// <summary>Gets or sets the session timeout.</summary>
    public TimeSpan SessionTimeout { get; set; } = request.SessionTimeout;

    /// <summary>Gets or sets the rebalance timeout.</summary>
    public TimeSpan RebalanceTimeout { get; set; } = request.RebalanceTimeout;

    /// <summary>Gets or sets the supported protocols, most preferred first.</summary>
    public IReadOnlyList<JoinGroupProtocol> Protocols { get; set; } = request.Protocols;

    /// <summary>Gets or sets the assignment bytes of the current generation.</summary>
    public byte[] Assignment { get; set; } = [];

    /// <summary>Gets or sets the answer to a join that waits for the rebalance, or <see langword="null"/>.</summary>
    public Action<JoinGroupResponse>? PendingJoin { get; set; }

    /// <summary>Gets or sets the answer to a sync that waits for the leader, or <see langword="null"/>.</summary>
    public Action<SyncGroupResponse>? PendingSync { get; set; }

    /// <summary>Gets or sets when the member last showed it was alive (join, sync, heartbeat).</summary>
    public DateTimeOffset LastSeen { get; set; }

    /// <summary>Gets whether the member waits for a join or a sync (then the session timeout does not apply).</summary>
    public bool IsAwaiting => PendingJoin is not null || PendingSync is not null;

    /// <summary>Returns the metadata of a protocol, or <see langword="null"/>.</summary>
    public byte[]? MetadataFor(string? protocol)
        => Protocols.FirstOrDefault(p => string.Equals(p.Name, protocol, StringComparison.Ordinal))?.Metadata;

    /// <summary>Returns whether two protocol lists are the same names with the same bytes in the same order.</summary>
    public static bool SameProtocols(IReadOnlyList<JoinGroupProtocol> a, IReadOnlyList<JoinGroupProtocol> b)
        => a.Count == b.Count
            && a.Zip(b).All(pair => string.Equals(pair.First.Name, pair.Second.Name, StringComparison.Ordinal)
                && pair.First.Metadata.AsSpan().SequenceEqual(pair.Second.Metadata));
}

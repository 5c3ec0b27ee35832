using CommitLog.Groups;
using CommitLog.Groups.Coordinator;
using CommitLog.Storage;

namespace CommitLog.Replication.Protocol;

/// <content>
/// The group-coordinator messages (kinds 5 to 14). Strings are int16-length UTF-8 (-1 for null), byte fields int32-length;
/// every count is checked against <see cref="MaxGroupEntries"/> and the bytes left, every length against the bytes left,
/// and every error code against the known ones, before anything is allocated.
/// </content>
internal static partial class MessageCodec
{
    /// <summary>The most entries (protocols, members, assignments, offsets) one coordinator message may carry.</summary>
    public const int MaxGroupEntries = 100_000;

    /// <summary>The longest group, member, client or reason string, in UTF-8 bytes (what an int16 length can say).</summary>
    public const int MaxGroupStringBytes = short.MaxValue;

    private const byte JoinRequestKind = 5;
    private const byte JoinResponseKind = 6;
    private const byte SyncRequestKind = 7;
    private const byte SyncResponseKind = 8;
    private const byte HeartbeatRequestKind = 9;
    private const byte HeartbeatResponseKind = 10;
    private const byte LeaveRequestKind = 11;
    private const byte LeaveResponseKind = 12;
    private const byte CommitRequestKind = 13;
    private const byte CommitResponseKind = 14;
    private const byte LastKind = CommitResponseKind;

    private static bool EncodeCoordinator(ProtocolWriter w, ReplicationMessage message, ProtocolLimits limits)
    {
        switch (message)
        {
            case CoordinatorJoinRequest { Request: var q } m:
                Header(w, JoinRequestKind, m.CorrelationId);
                Str(w, q.GroupId);
                w.WriteInt32(Millis(q.SessionTimeout));
                w.WriteInt32(Millis(q.RebalanceTimeout));
                Str(w, q.MemberId);
                w.WriteNullableString(q.GroupInstanceId, MaxGroupStringBytes);
                Str(w, q.ProtocolType);
                w.WriteInt32(q.Protocols.Count);
                foreach (var protocol in q.Protocols)
                {
                    Str(w, protocol.Name);
                    w.WriteBytes(protocol.Metadata);
                }

                Str(w, q.ClientId);
                Str(w, q.ClientHost);
                return true;
            case CoordinatorJoinResponse { Response: var a } m:
                Header(w, JoinResponseKind, m.CorrelationId);
                w.WriteInt16((short)a.Error);
                w.WriteInt32(a.GenerationId);
                w.WriteNullableString(a.ProtocolType, MaxGroupStringBytes);
                w.WriteNullableString(a.ProtocolName, MaxGroupStringBytes);
                Str(w, a.Leader);
                w.WriteByte(a.SkipAssignment ? (byte)1 : (byte)0);
                Str(w, a.MemberId);
                w.WriteInt32(a.Members.Count);
                foreach (var member in a.Members)
                {
                    Str(w, member.MemberId);
                    w.WriteNullableString(member.GroupInstanceId, MaxGroupStringBytes);
                    w.WriteBytes(member.Metadata);
                }

                return true;
            case CoordinatorSyncRequest { Request: var q } m:
                Header(w, SyncRequestKind, m.CorrelationId);
                Str(w, q.GroupId);
                w.WriteInt32(q.GenerationId);
                Str(w, q.MemberId);
                w.WriteNullableString(q.GroupInstanceId, MaxGroupStringBytes);
                w.WriteNullableString(q.ProtocolType, MaxGroupStringBytes);
                w.WriteNullableString(q.ProtocolName, MaxGroupStringBytes);
                w.WriteInt32(q.Assignments.Count);
                foreach (var (memberId, assignment) in q.Assignments.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    Str(w, memberId);
                    w.WriteBytes(assignment);
                }

                return true;
            case CoordinatorSyncResponse { Response: var a } m:
                Header(w, SyncResponseKind, m.CorrelationId);
                w.WriteInt16((short)a.Error);
                w.WriteNullableString(a.ProtocolType, MaxGroupStringBytes);
                w.WriteNullableString(a.ProtocolName, MaxGroupStringBytes);
                w.WriteBytes(a.Assignment);
                return true;
            case CoordinatorHeartbeatRequest { Request: var q } m:
                Header(w, HeartbeatRequestKind, m.CorrelationId);
                Str(w, q.GroupId);
                w.WriteInt32(q.GenerationId);
                Str(w, q.MemberId);
                w.WriteNullableString(q.GroupInstanceId, MaxGroupStringBytes);
                return true;
            case CoordinatorHeartbeatResponse m:
                Header(w, HeartbeatResponseKind, m.CorrelationId);
                w.WriteInt16((short)m.Error);
                return true;
            case CoordinatorLeaveRequest m:
                Header(w, LeaveRequestKind, m.CorrelationId);
                Str(w, m.GroupId);
                w.WriteInt32(m.Members.Count);
                foreach (var member in m.Members)
                {
                    Str(w, member.MemberId);
                    w.WriteNullableString(member.GroupInstanceId, MaxGroupStringBytes);
                    Str(w, member.Reason);
                }

                return true;
            case CoordinatorLeaveResponse m:
                Header(w, LeaveResponseKind, m.CorrelationId);
                w.WriteInt32(m.Errors.Count);
                foreach (var error in m.Errors)
                {
                    w.WriteInt16((short)error);
                }

                return true;
            case CoordinatorCommitRequest m:
                Header(w, CommitRequestKind, m.CorrelationId);
                Str(w, m.GroupId);
                w.WriteInt32(m.Generation.GenerationId);
                Str(w, m.Generation.MemberId);
                w.WriteNullableString(m.Generation.GroupInstanceId, MaxGroupStringBytes);
                w.WriteInt32(m.Offsets.Count);
                foreach (var offset in m.Offsets)
                {
                    w.WriteString(offset.TopicPartition.Topic ?? string.Empty, limits.MaxTopicBytes);
                    w.WriteInt32(offset.TopicPartition.Partition.Value);
                    w.WriteInt64(offset.Offset);
                    w.WriteInt32(offset.LeaderEpoch);
                    w.WriteNullableString(offset.Metadata, MaxGroupStringBytes);
                }

                return true;
            case CoordinatorCommitResponse m:
                Header(w, CommitResponseKind, m.CorrelationId);
                w.WriteInt16((short)m.Error);
                w.WriteByte(m.Retriable ? (byte)1 : (byte)0);
                Str(w, Truncate(m.Message));
                return true;
            default:
                return false;
        }
    }

    private static ReplicationMessage? DecodeCoordinator(byte kind, ref ProtocolReader r, int correlationId, ProtocolLimits limits) => kind switch
    {
        JoinRequestKind => new CoordinatorJoinRequest(correlationId, DecodeJoinRequest(ref r, limits)),
        JoinResponseKind => new CoordinatorJoinResponse(correlationId, DecodeJoinResponse(ref r, limits)),
        SyncRequestKind => new CoordinatorSyncRequest(correlationId, DecodeSyncRequest(ref r, limits)),
        SyncResponseKind => new CoordinatorSyncResponse(correlationId, new SyncGroupResponse(
            ReadGroupError(ref r), ReadNullable(ref r, "protocol type"), ReadNullable(ref r, "protocol name"),
            r.ReadBytes(limits.MaxRecordsBytes, "assignment"))),
        HeartbeatRequestKind => new CoordinatorHeartbeatRequest(correlationId, new HeartbeatRequest(
            ReadGroupId(ref r), r.ReadInt32(), ReadStr(ref r, "member id"), ReadNullable(ref r, "group instance id"))),
        HeartbeatResponseKind => new CoordinatorHeartbeatResponse(correlationId, ReadGroupError(ref r)),
        LeaveRequestKind => DecodeLeaveRequest(ref r, correlationId),
        LeaveResponseKind => DecodeLeaveResponse(ref r, correlationId),
        CommitRequestKind => DecodeCommitRequest(ref r, correlationId, limits),
        CommitResponseKind => new CoordinatorCommitResponse(correlationId, ReadGroupError(ref r), ReadFlag(ref r, "retriable"), ReadStr(ref r, "message")),
        _ => null,
    };

    private static JoinGroupRequest DecodeJoinRequest(ref ProtocolReader r, ProtocolLimits limits)
    {
        var groupId = ReadGroupId(ref r);
        var session = ReadTimeout(ref r, "session timeout");
        var rebalance = ReadTimeout(ref r, "rebalance timeout");
        var memberId = ReadStr(ref r, "member id");
        var instanceId = ReadNullable(ref r, "group instance id");
        var protocolType = ReadStr(ref r, "protocol type");
        var count = r.ReadCount(MaxGroupEntries, 2 + 4, "protocol");
        var protocols = new JoinGroupProtocol[count];
        for (var i = 0; i < count; i++)
        {
            protocols[i] = new JoinGroupProtocol(ReadStr(ref r, "protocol name"), r.ReadBytes(limits.MaxRecordsBytes, "protocol metadata"));
        }

        return new JoinGroupRequest(groupId, session, rebalance, memberId, instanceId, protocolType, protocols,
            ReadStr(ref r, "client id"), ReadStr(ref r, "client host"));
    }

    private static JoinGroupResponse DecodeJoinResponse(ref ProtocolReader r, ProtocolLimits limits)
    {
        var error = ReadGroupError(ref r);
        var generation = r.ReadInt32();
        var protocolType = ReadNullable(ref r, "protocol type");
        var protocolName = ReadNullable(ref r, "protocol name");
        var leader = ReadStr(ref r, "leader id");
        var skip = ReadFlag(ref r, "skip assignment");
        var memberId = ReadStr(ref r, "member id");
        var count = r.ReadCount(MaxGroupEntries, 2 + 2 + 4, "member");
        var members = new JoinGroupResponseMember[count];
        for (var i = 0; i < count; i++)
        {
            members[i] = new JoinGroupResponseMember(
                ReadStr(ref r, "member id"), ReadNullable(ref r, "group instance id"), r.ReadBytes(limits.MaxRecordsBytes, "member metadata"));
        }

        return new JoinGroupResponse(error, generation, protocolType, protocolName, leader, skip, memberId, members);
    }

    private static SyncGroupRequest DecodeSyncRequest(ref ProtocolReader r, ProtocolLimits limits)
    {
        var groupId = ReadGroupId(ref r);
        var generation = r.ReadInt32();
        var memberId = ReadStr(ref r, "member id");
        var instanceId = ReadNullable(ref r, "group instance id");
        var protocolType = ReadNullable(ref r, "protocol type");
        var protocolName = ReadNullable(ref r, "protocol name");
        var count = r.ReadCount(MaxGroupEntries, 2 + 4, "assignment");
        var assignments = new Dictionary<string, byte[]>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var member = ReadStr(ref r, "member id");
            if (!assignments.TryAdd(member, r.ReadBytes(limits.MaxRecordsBytes, "assignment")))
            {
                throw new ProtocolFormatException($"The sync request assigns member '{member}' twice; each member at most once.");
            }
        }

        return new SyncGroupRequest(groupId, generation, memberId, instanceId, protocolType, protocolName, assignments);
    }

    private static CoordinatorLeaveRequest DecodeLeaveRequest(ref ProtocolReader r, int correlationId)
    {
        var groupId = ReadGroupId(ref r);
        var count = r.ReadCount(MaxGroupEntries, 2 + 2 + 2, "member");
        var members = new LeaveGroupMember[count];
        for (var i = 0; i < count; i++)
        {
            members[i] = new LeaveGroupMember(ReadStr(ref r, "member id"), ReadNullable(ref r, "group instance id"), ReadStr(ref r, "reason"));
        }

        return new CoordinatorLeaveRequest(correlationId, groupId, members);
    }

    private static CoordinatorLeaveResponse DecodeLeaveResponse(ref ProtocolReader r, int correlationId)
    {
        var count = r.ReadCount(MaxGroupEntries, 2, "error");
        var errors = new ErrorCode[count];
        for (var i = 0; i < count; i++)
        {
            errors[i] = ReadGroupError(ref r);
        }

        return new CoordinatorLeaveResponse(correlationId, errors);
    }

    private static CoordinatorCommitRequest DecodeCommitRequest(ref ProtocolReader r, int correlationId, ProtocolLimits limits)
    {
        var groupId = ReadGroupId(ref r);
        var generation = new GroupGeneration(r.ReadInt32(), ReadStr(ref r, "member id"), ReadNullable(ref r, "group instance id"));
        var count = r.ReadCount(MaxGroupEntries, 2 + 4 + 8 + 4 + 2, "offset");
        var offsets = new OffsetCommit[count];
        for (var i = 0; i < count; i++)
        {
            var topic = r.ReadString(limits.MaxTopicBytes, "topic");
            var partition = r.ReadInt32();
            var offset = r.ReadInt64();
            var epoch = r.ReadInt32();
            var metadata = ReadNullable(ref r, "offset metadata");
            if (partition < 0 || offset < 0)
            {
                throw new ProtocolFormatException(
                    $"The commit of {topic}-{partition} at offset {offset} is out of range: partitions and offsets are 0 or more.");
            }

            offsets[i] = new OffsetCommit(new TopicPartition(topic, partition), offset, epoch, metadata);
        }

        return new CoordinatorCommitRequest(correlationId, groupId, generation, offsets);
    }

    private static void Str(ProtocolWriter w, string value) => w.WriteString(value, MaxGroupStringBytes);

    private static string ReadStr(ref ProtocolReader r, string field) => r.ReadString(MaxGroupStringBytes, field);

    private static string? ReadNullable(ref ProtocolReader r, string field) => r.ReadNullableString(MaxGroupStringBytes, field);

    private static string ReadGroupId(ref ProtocolReader r)
    {
        var groupId = ReadStr(ref r, "group id");
        return groupId.Length > 0 ? groupId : throw new ProtocolFormatException("The group id is empty; a coordinator request names its group.");
    }

    private static TimeSpan ReadTimeout(ref ProtocolReader r, string field)
    {
        var ms = r.ReadInt32();
        return ms >= 0 ? TimeSpan.FromMilliseconds(ms) : throw new ProtocolFormatException($"The {field} {ms} ms is negative; allowed 0 or more.");
    }

    private static bool ReadFlag(ref ProtocolReader r, string field) => r.ReadByte() switch
    {
        0 => false,
        1 => true,
        var b => throw new ProtocolFormatException($"The {field} flag is {b}; allowed 0 or 1."),
    };

    private static ErrorCode ReadGroupError(ref ProtocolReader r)
    {
        var code = r.ReadInt16();
        return Enum.IsDefined((ErrorCode)code) ? (ErrorCode)code : throw new ProtocolFormatException($"Unknown group error code {code}.");
    }

    private static int Millis(TimeSpan value) => (int)Math.Clamp(value.TotalMilliseconds, 0, int.MaxValue);

    private static string Truncate(string message) => message.Length <= 4096 ? message : message[..4096];
}

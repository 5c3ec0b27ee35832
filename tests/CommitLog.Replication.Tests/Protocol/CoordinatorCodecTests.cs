using System.Buffers.Binary;
using CommitLog.Groups;
using CommitLog.Groups.Coordinator;
using CommitLog.Replication.Protocol;
using CommitLog.Storage;
using FsCheck.Xunit;

namespace CommitLog.Replication.Tests.Protocol;

/// <summary>The group-coordinator messages: every field round-trips; truncated, mutated or random bytes fail only with
/// <see cref="ProtocolFormatException"/> and never allocate beyond the input.</summary>
public sealed class CoordinatorCodecTests
{
    private static readonly ProtocolLimits Limits = new(MaxPartitions: 64, MaxTopicBytes: 249, MaxRecordsBytes: 4096);

    public static TheoryData<int> Samples => new(Enumerable.Range(0, AllSamples().Count));

    [Property(MaxTest = 200)]
    public void JoinRequest_AnyFields_RoundTrips(int correlation, string? group, string? member, string? instance, int session, byte[]? metadata, bool two)
    {
        var protocols = two
            ? new[] { new JoinGroupProtocol("range", Bytes(metadata)), new JoinGroupProtocol("cooperative-sticky", []) }
            : [new JoinGroupProtocol(Text(member), Bytes(metadata))];
        var request = new JoinGroupRequest(Group(group), TimeSpan.FromMilliseconds(session & int.MaxValue), TimeSpan.FromMinutes(5), Text(member),
            instance is null ? null : Text(instance), "consumer", protocols, Text(instance), "10.0.0.7");
        var decoded = Assert.IsType<CoordinatorJoinRequest>(RoundTrip(new CoordinatorJoinRequest(correlation, request))).Request;
        Assert.Equal(request with { Protocols = [] }, decoded with { Protocols = [] });
        Assert.Equal(protocols.Select(p => (p.Name, Convert.ToHexString(p.Metadata))), decoded.Protocols.Select(p => (p.Name, Convert.ToHexString(p.Metadata))));
    }

    [Property(MaxTest = 200)]
    public void JoinAndSyncResponses_AnyFields_RoundTrip(int correlation, int generation, string? leader, bool skip, byte[]? metadata, byte errorPick)
    {
        var error = Errors[errorPick % Errors.Length];
        var members = new[] { new JoinGroupResponseMember(Text(leader), null, Bytes(metadata)), new JoinGroupResponseMember("m-2", "static-2", []) };
        var join = new JoinGroupResponse(error, generation, "consumer", leader is null ? null : "range", Text(leader), skip, "m-2", members);
        var decoded = Assert.IsType<CoordinatorJoinResponse>(RoundTrip(new CoordinatorJoinResponse(correlation, join))).Response;
        Assert.Equal(join with { Members = [] }, decoded with { Members = [] });
        Assert.Equal(members.Select(m => (m.MemberId, m.GroupInstanceId, Convert.ToHexString(m.Metadata))),
            decoded.Members.Select(m => (m.MemberId, m.GroupInstanceId, Convert.ToHexString(m.Metadata))));

        var sync = new SyncGroupResponse(error, "consumer", null, Bytes(metadata));
        var back = Assert.IsType<CoordinatorSyncResponse>(RoundTrip(new CoordinatorSyncResponse(correlation, sync))).Response;
        Assert.Equal((sync.Error, sync.ProtocolType, sync.ProtocolName), (back.Error, back.ProtocolType, back.ProtocolName));
        Assert.Equal(sync.Assignment, back.Assignment);
    }

    [Property(MaxTest = 200)]
    public void SyncHeartbeatLeaveCommit_AnyFields_RoundTrip(int correlation, string? group, string? member, int generation, long offset, int epoch, string? metadata)
    {
        var assignments = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [Text(member)] = [1, 2, 3], ["other"] = [] };
        var sync = new SyncGroupRequest(Group(group), generation, Text(member), null, "consumer", "range", assignments);
        var syncBack = Assert.IsType<CoordinatorSyncRequest>(RoundTrip(new CoordinatorSyncRequest(correlation, sync))).Request;
        Assert.Equal(sync with { Assignments = assignments }, syncBack with { Assignments = assignments });
        Assert.Equal(assignments.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => (a.Key, Convert.ToHexString(a.Value))),
            syncBack.Assignments.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => (a.Key, Convert.ToHexString(a.Value))));

        var beat = new HeartbeatRequest(Group(group), generation, Text(member), metadata is null ? null : Text(metadata));
        Assert.Equal(beat, Assert.IsType<CoordinatorHeartbeatRequest>(RoundTrip(new CoordinatorHeartbeatRequest(correlation, beat))).Request);
        Assert.Equal(new CoordinatorHeartbeatResponse(correlation, ErrorCode.NotCoordinator), RoundTrip(new CoordinatorHeartbeatResponse(correlation, ErrorCode.NotCoordinator)));

        LeaveGroupMember[] leaving = [new(Text(member), null, "closed"), new(string.Empty, "static-1", Text(metadata))];
        var leave = Assert.IsType<CoordinatorLeaveRequest>(RoundTrip(new CoordinatorLeaveRequest(correlation, Group(group), leaving)));
        Assert.Equal(leaving, leave.Members);
        ErrorCode[] errors = [ErrorCode.None, ErrorCode.UnknownMemberId];
        Assert.Equal(errors, Assert.IsType<CoordinatorLeaveResponse>(RoundTrip(new CoordinatorLeaveResponse(correlation, errors))).Errors);

        OffsetCommit[] offsets = [new(new TopicPartition("orders", 3), offset & long.MaxValue, epoch, metadata is null ? null : Text(metadata))];
        var commit = Assert.IsType<CoordinatorCommitRequest>(RoundTrip(
            new CoordinatorCommitRequest(correlation, Group(group), new GroupGeneration(generation, Text(member), null), offsets)));
        Assert.Equal(new GroupGeneration(generation, Text(member), null), commit.Generation);
        Assert.Equal(offsets, commit.Offsets);
        var answer = new CoordinatorCommitResponse(correlation, ErrorCode.IllegalGeneration, false, Text(metadata));
        Assert.Equal(answer, RoundTrip(answer));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Decode_EveryTruncation_ThrowsFormatError(int sample)
    {
        var bytes = MessageCodec.Encode(AllSamples()[sample], Limits);
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<ProtocolFormatException>(() => MessageCodec.Decode(bytes.AsSpan(0, length), Limits));
        }

        Assert.Contains("trailing", Assert.Throws<ProtocolFormatException>(() => MessageCodec.Decode([.. bytes, 0], Limits)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_MutatedCoordinatorMessages_OnlyFormatErrorsAndBoundedAllocation()
    {
        var random = new Random(20261126);
        var samples = AllSamples().Select(m => MessageCodec.Encode(m, Limits)).ToList();
        for (var i = 0; i < 20_000; i++)
        {
            var data = (byte[])samples[i % samples.Count].Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                data[random.Next(1, data.Length)] = (byte)random.Next(256);
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                MessageCodec.Decode(data, Limits);
            }
            catch (ProtocolFormatException)
            {
            }

            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < (16 * 1024) + (data.Length * 16), $"sample {i % samples.Count} allocated too much");
        }
    }

    [Fact]
    public void Decode_HugeCountsAndLengths_RejectedBeforeAllocating()
    {
        // A leave request: kind, version, correlation id, group id "g", then the member count.
        var leave = MessageCodec.Encode(new CoordinatorLeaveRequest(1, "g", []), Limits);
        foreach (var count in new[] { int.MaxValue, -1, MessageCodec.MaxGroupEntries + 1, 1_000 })
        {
            BinaryPrimitives.WriteInt32BigEndian(leave.AsSpan(6 + 2 + 1), count);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var error = Assert.Throws<ProtocolFormatException>(() => MessageCodec.Decode(leave, Limits));
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 * 1024, $"count {count} allocated too much");
            Assert.Contains("count", error.Message, StringComparison.Ordinal);
        }

        // A sync response: kind, version, correlation id, error, two null strings, then the assignment length.
        var sync = MessageCodec.Encode(new CoordinatorSyncResponse(1, SyncGroupResponse.Failed(ErrorCode.NotCoordinator)), Limits);
        BinaryPrimitives.WriteInt32BigEndian(sync.AsSpan(6 + 2 + 2 + 2), int.MaxValue);
        var huge = Assert.Throws<ProtocolFormatException>(() => MessageCodec.Decode(sync, Limits));
        Assert.Contains("4096", huge.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_BadFieldValues_RejectedNamingTheField()
    {
        var beat = MessageCodec.Encode(new CoordinatorHeartbeatResponse(1, ErrorCode.None), Limits);
        BinaryPrimitives.WriteInt16BigEndian(beat.AsSpan(6), 9999);
        Assert.Contains("error code", Assert.Throws<ProtocolFormatException>(() => MessageCodec.Decode(beat, Limits)).Message, StringComparison.Ordinal);

        var empty = MessageCodec.Encode(new CoordinatorHeartbeatRequest(1, new HeartbeatRequest("g", 1, "m", null)), Limits);
        BinaryPrimitives.WriteInt16BigEndian(empty.AsSpan(6), 0);
        Assert.Throws<ProtocolFormatException>(() => MessageCodec.Decode(empty, Limits));

        var commit = MessageCodec.Encode(new CoordinatorCommitRequest(1, "g", GroupGeneration.None, [new OffsetCommit(new TopicPartition("t", 0), 5)]), Limits);
        BinaryPrimitives.WriteInt64BigEndian(commit.AsSpan(commit.Length - 2 - 4 - 8), -5);
        Assert.Contains("out of range", Assert.Throws<ProtocolFormatException>(() => MessageCodec.Decode(commit, Limits)).Message, StringComparison.Ordinal);

        var flag = MessageCodec.Encode(new CoordinatorCommitResponse(1, ErrorCode.None, true, ""), Limits);
        flag[6 + 2] = 7;
        Assert.Contains("flag", Assert.Throws<ProtocolFormatException>(() => MessageCodec.Decode(flag, Limits)).Message, StringComparison.Ordinal);
        Assert.Contains("kind", Assert.Throws<ProtocolFormatException>(() => MessageCodec.Decode([15, .. flag[1..]], Limits)).Message, StringComparison.Ordinal);
    }

    /// <summary>One valid message of each coordinator kind, with non-empty lists.</summary>
    internal static IReadOnlyList<ReplicationMessage> AllSamples() =>
    [
        new CoordinatorJoinRequest(1, new JoinGroupRequest("billing", TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(40), "m-1", "s-1", "consumer",
            [new JoinGroupProtocol("range", [1, 2, 3])], "client", "host")),
        new CoordinatorJoinResponse(2, new JoinGroupResponse(ErrorCode.None, 3, "consumer", "range", "m-1", false, "m-1",
            [new JoinGroupResponseMember("m-1", null, [4, 5])])),
        new CoordinatorSyncRequest(3, new SyncGroupRequest("billing", 3, "m-1", null, "consumer", "range",
            new Dictionary<string, byte[]>(StringComparer.Ordinal) { ["m-1"] = [6] })),
        new CoordinatorSyncResponse(4, new SyncGroupResponse(ErrorCode.None, "consumer", "range", [7, 8])),
        new CoordinatorHeartbeatRequest(5, new HeartbeatRequest("billing", 3, "m-1", "s-1")),
        new CoordinatorHeartbeatResponse(6, ErrorCode.RebalanceInProgress),
        new CoordinatorLeaveRequest(7, "billing", [new LeaveGroupMember("m-1", null, "closed")]),
        new CoordinatorLeaveResponse(8, [ErrorCode.None]),
        new CoordinatorCommitRequest(9, "billing", new GroupGeneration(3, "m-1", null), [new OffsetCommit(new TopicPartition("orders", 1), 42, 2, "meta")]),
        new CoordinatorCommitResponse(10, ErrorCode.NotCoordinator, true, "moved"),
    ];

    private static readonly ErrorCode[] Errors = Enum.GetValues<ErrorCode>();

    private static ReplicationMessage RoundTrip(ReplicationMessage message) => MessageCodec.Decode(MessageCodec.Encode(message, Limits), Limits);

    private static string Text(string? s) => s is null ? "x" : new string(s.Where(c => c is >= ' ' and < (char)127).Take(200).ToArray());

    private static string Group(string? s) => Text(s) is { Length: > 0 } g ? g : "g";

    private static byte[] Bytes(byte[]? b) => b is null ? [] : b.Take(Limits.MaxRecordsBytes).ToArray();
}

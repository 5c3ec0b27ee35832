using CommitLog.Groups;
using CommitLog.Groups.Coordinator;
using CommitLog.Replication.Control;
using CommitLog.Replication.Protocol;
using CommitLog.Storage;

namespace CommitLog.Replication.Cluster;

/// <content>
/// One group coordinator per group across the cluster (Kafka's rule): the coordinator of group G is the leader of G's
/// <c>__consumer_offsets</c> partition. A member's membership calls and offset commits go to it: into this node's
/// <see cref="GroupCoordinator"/> when this node leads that partition, else over the connection this node dialed to the
/// leader (NodeHost.GroupCalls.cs). The coordinator serves local and forwarded requests with the same code (the Serve
/// methods), which first checks, under one gate with the drop below, that this node still leads the partition; when it
/// stops leading it, it drops the partition's groups, and their members get NotCoordinator and rejoin at the new leader.
/// </content>
internal sealed partial class NodeHost : IClusterGroupCoordinator
{
    private static readonly TimeSpan CoordinatorRetryBackoff = TimeSpan.FromMilliseconds(100);
    private readonly Lock _coordinatorGate = new();

    public Task<JoinGroupResponse> JoinGroup(JoinGroupRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        return JoinGroupCoreAsync(request);
    }

    public Task<SyncGroupResponse> SyncGroup(SyncGroupRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        return SyncGroupCoreAsync(request);
    }

    public ValueTask<ErrorCode> HeartbeatAsync(HeartbeatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        var (coordinator, error) = FindCoordinator(request.GroupId);
        if (error != ErrorCode.None)
        {
            return new(error);
        }

        return coordinator == NodeId ? new(ServeHeartbeat(request)) : new(HeartbeatRemoteAsync(coordinator, request));
    }

    public void Leave(string groupId, IReadOnlyList<LeaveGroupMember> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        var (coordinator, error) = FindCoordinator(groupId);
        if (error != ErrorCode.None)
        {
            return; // nobody to tell: the coordinator removes the member after its session timeout
        }

        if (coordinator == NodeId)
        {
            ServeLeave(groupId, members);
        }
        else
        {
            _ = CallCoordinatorAsync(coordinator, new CoordinatorLeaveRequest(NextCorrelationId(), groupId, members), _options.RequestTimeout);
        }
    }

    public async ValueTask<bool> TryForwardCommitAsync(
        string groupId, GroupGeneration generation, IReadOnlyList<OffsetCommit> offsets, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        var start = _time.GetTimestamp();
        while (true)
        {
            var (coordinator, error) = await FindCoordinatorAsync(groupId).ConfigureAwait(false);
            if (error == ErrorCode.None && coordinator == NodeId)
            {
                return false;
            }

            var message = $"group '{groupId}' has no coordinator: its offsets partition has no leader";
            var retriable = true;
            if (error == ErrorCode.None)
            {
                var answer = await CallCoordinatorAsync(coordinator, new CoordinatorCommitRequest(NextCorrelationId(), groupId, generation, offsets),
                    _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
                if (answer is CoordinatorCommitResponse { Error: ErrorCode.None })
                {
                    return true;
                }

                (error, retriable, message) = answer is CoordinatorCommitResponse refused
                    ? (refused.Error, refused.Retriable, refused.Message)
                    : (ErrorCode.CoordinatorNotAvailable, true, $"no answer from node {coordinator}, the coordinator of group '{groupId}'");
            }

            if (!IsCoordinatorError(error) || _time.GetElapsedTime(start) >= _options.RequestTimeout)
            {
                throw new CommitFailedException(error, groupId, IsCoordinatorError(error)
                    ? $"Commit for group '{groupId}' failed: {message} (node {NodeId} retried for {_options.RequestTimeout.TotalMilliseconds} ms); " +
                      "it may or may not be stored; retry the commit."
                    : message, null, retriable);
            }

            await Task.Delay(CoordinatorRetryBackoff, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsCoordinatorError(ErrorCode error)
        => error is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress;

    private async Task<JoinGroupResponse> JoinGroupCoreAsync(JoinGroupRequest request)
    {
        var (coordinator, error) = await FindCoordinatorAsync(request.GroupId).ConfigureAwait(false);
        if (error != ErrorCode.None)
        {
            return JoinGroupResponse.Failed(error, request.MemberId);
        }

        if (coordinator == NodeId)
        {
            return await ServeJoin(request).ConfigureAwait(false);
        }

        // The coordinator answers a join within the rebalance timeout; the request timeout covers the way there and back.
        var answer = await CallCoordinatorAsync(coordinator, new CoordinatorJoinRequest(NextCorrelationId(), request),
            request.RebalanceTimeout + _options.RequestTimeout).ConfigureAwait(false);
        return answer is CoordinatorJoinResponse joined ? joined.Response : JoinGroupResponse.Failed(ErrorCode.CoordinatorNotAvailable, request.MemberId);
    }

    private async Task<SyncGroupResponse> SyncGroupCoreAsync(SyncGroupRequest request)
    {
        var (coordinator, error) = await FindCoordinatorAsync(request.GroupId).ConfigureAwait(false);
        if (error != ErrorCode.None)
        {
            return SyncGroupResponse.Failed(error);
        }

        if (coordinator == NodeId)
        {
            return await ServeSync(request).ConfigureAwait(false);
        }

        // A sync waits for the leader's assignment, which the leader sends within its rebalance timeout (not carried in the
        // request): bound it generously; a member whose wait is cut short rejoins.
        var answer = await CallCoordinatorAsync(coordinator, new CoordinatorSyncRequest(NextCorrelationId(), request),
            _options.RequestTimeout * 4).ConfigureAwait(false);
        return answer is CoordinatorSyncResponse synced ? synced.Response : SyncGroupResponse.Failed(ErrorCode.CoordinatorNotAvailable);
    }

    private async Task<ErrorCode> HeartbeatRemoteAsync(int coordinator, HeartbeatRequest request)
    {
        var answer = await CallCoordinatorAsync(coordinator, new CoordinatorHeartbeatRequest(NextCorrelationId(), request), _options.RequestTimeout)
            .ConfigureAwait(false);
        return answer is CoordinatorHeartbeatResponse beat ? beat.Error : ErrorCode.CoordinatorNotAvailable;
    }

    /// <summary>Finds the group's coordinator, first creating <c>__consumer_offsets</c> through the control plane if the
    /// cluster has none yet.</summary>
    private async ValueTask<(int Node, ErrorCode Error)> FindCoordinatorAsync(string groupId)
    {
        if (!Broker.TryGetPartitionCount(OffsetsTopic.Name, out _))
        {
            try
            {
                await Broker.EnsureOffsetsTopicAsync(Stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (Stopping.IsCancellationRequested)
            {
                throw new ObjectDisposedException(nameof(NodeHost), $"Cluster node {NodeId} is shutting down.");
            }
#pragma warning disable CA1031 // Any failure to create the topic means: no coordinator yet; the member retries.
            catch (Exception e) when (e is not ObjectDisposedException)
#pragma warning restore CA1031
            {
                return (PartitionState.NoLeader, ErrorCode.CoordinatorNotAvailable);
            }
        }

        return FindCoordinator(groupId);
    }

    /// <summary>Finds the group's coordinator in the applied metadata: the leader of its offsets partition.</summary>
    private (int Node, ErrorCode Error) FindCoordinator(string groupId)
    {
        if (OffsetsPartitionOf(groupId) is not { } partition
            || !Metadata.Partitions.TryGetValue(partition, out var state) || state.Leader == PartitionState.NoLeader)
        {
            return (PartitionState.NoLeader, ErrorCode.CoordinatorNotAvailable);
        }

        return (state.Leader, ErrorCode.None);
    }

    private TopicPartition? OffsetsPartitionOf(string groupId)
        => Metadata.Topics.TryGetValue(OffsetsTopic.Name, out var topic) && groupId.Length > 0
            ? new TopicPartition(OffsetsTopic.Name, OffsetsTopic.PartitionFor(groupId, topic.PartitionCount))
            : null;

    /// <summary>Whether this node coordinates the group now. Caller holds <see cref="_coordinatorGate"/>.</summary>
    private bool Coordinates(string groupId) => FindCoordinator(groupId) is (var node, ErrorCode.None) && node == NodeId;

    private Task<JoinGroupResponse> ServeJoin(JoinGroupRequest request)
    {
        lock (_coordinatorGate)
        {
            return Coordinates(request.GroupId)
                ? Broker.Groups.JoinGroup(request)
                : Task.FromResult(JoinGroupResponse.Failed(ErrorCode.NotCoordinator, request.MemberId));
        }
    }

    private Task<SyncGroupResponse> ServeSync(SyncGroupRequest request)
    {
        lock (_coordinatorGate)
        {
            return Coordinates(request.GroupId) ? Broker.Groups.SyncGroup(request) : Task.FromResult(SyncGroupResponse.Failed(ErrorCode.NotCoordinator));
        }
    }

    private ErrorCode ServeHeartbeat(HeartbeatRequest request)
    {
        lock (_coordinatorGate)
        {
            return Coordinates(request.GroupId) ? Broker.Groups.Heartbeat(request) : ErrorCode.NotCoordinator;
        }
    }

    private IReadOnlyList<ErrorCode> ServeLeave(string groupId, IReadOnlyList<LeaveGroupMember> members)
    {
        lock (_coordinatorGate)
        {
            return Coordinates(groupId) ? Broker.Groups.LeaveGroup(groupId, members) : [.. members.Select(_ => ErrorCode.NotCoordinator)];
        }
    }

    private async Task<CoordinatorCommitResponse> ServeCommitAsync(CoordinatorCommitRequest request)
    {
        lock (_coordinatorGate)
        {
            if (!Coordinates(request.GroupId))
            {
                return new CoordinatorCommitResponse(request.CorrelationId, ErrorCode.NotCoordinator, true,
                    $"Node {NodeId} is not the coordinator of group '{request.GroupId}' (it does not lead the group's offsets partition).");
            }
        }

        try
        {
            await Broker.OffsetStore.CommitAsCoordinatorAsync(request.GroupId, request.Generation, request.Offsets, Stopping).ConfigureAwait(false);
            return new CoordinatorCommitResponse(request.CorrelationId, ErrorCode.None, false, string.Empty);
        }
        catch (CommitLogException e)
        {
            return new CoordinatorCommitResponse(request.CorrelationId, e.ErrorCode, e.IsRetriable, e.Message);
        }
        catch (ArgumentException e)
        {
            return new CoordinatorCommitResponse(request.CorrelationId, ErrorCode.Unknown, false, e.Message);
        }
    }

    /// <summary>Drops the groups of the offsets partitions this node led in <paramref name="before"/> and does not lead in
    /// <paramref name="after"/>; waiting joins and syncs are answered NotCoordinator.</summary>
    private void DropMovedGroups(ClusterMetadata before, ClusterMetadata after)
    {
        if (!after.Topics.TryGetValue(OffsetsTopic.Name, out var topic))
        {
            return;
        }

        var lost = before.Partitions
            .Where(p => p.Key.Topic == OffsetsTopic.Name && p.Value.Leader == NodeId
                && (!after.Partitions.TryGetValue(p.Key, out var now) || now.Leader != NodeId))
            .Select(p => p.Key.Partition.Value)
            .ToHashSet();
        if (lost.Count == 0 || _broker is null)
        {
            return;
        }

        IReadOnlyList<string> dropped;
        lock (_coordinatorGate)
        {
            dropped = Broker.Groups.DropGroups(g => lost.Contains(OffsetsTopic.PartitionFor(g, topic.PartitionCount)), ErrorCode.NotCoordinator);
        }

        foreach (var partition in lost)
        {
            var groups = dropped.Where(g => OffsetsTopic.PartitionFor(g, topic.PartitionCount) == partition).ToList();
            ClusterLog.GroupsDropped(_logger, NodeId, OffsetsTopic.Name, partition, groups.Count == 0 ? "(none)" : string.Join(",", groups));
        }
    }
}

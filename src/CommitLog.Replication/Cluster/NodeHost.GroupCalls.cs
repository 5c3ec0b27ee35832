using System.Collections.Concurrent;
using CommitLog.Replication.Protocol;

namespace CommitLog.Replication.Cluster;

/// <content>
/// Group-coordinator requests over the transport: a member's node sends them over the connection it dialed to the
/// coordinator and waits (bounded) for the answer with the same correlation id from that node; the coordinator serves
/// them without blocking the connection's reader and answers over the connection the request came on. An unanswered
/// call (no connection, a closed connection, a timeout) ends with no answer, which callers turn into
/// CoordinatorNotAvailable.
/// </content>
internal sealed partial class NodeHost
{
    private readonly ConcurrentDictionary<int, PendingCoordinatorCall> _coordinatorCalls = new();

    /// <summary>Sends <paramref name="request"/> to node <paramref name="coordinator"/> and returns its answer, or
    /// <see langword="null"/> when none came within <paramref name="timeout"/> (or the connection is missing or closed).</summary>
    private async Task<CoordinatorMessage?> CallCoordinatorAsync(
        int coordinator, CoordinatorMessage request, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (!_outbound.TryGetValue(coordinator, out var link))
        {
            return null;
        }

        var answer = new TaskCompletionSource<CoordinatorMessage?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _coordinatorCalls[request.CorrelationId] = new PendingCoordinatorCall(answer, coordinator);
        try
        {
            if (!link.TrySend(MessageCodec.Encode(request)))
            {
                return null;
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Stopping);
            return await answer.Task.WaitAsync(timeout, _time, linked.Token).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
        catch (OperationCanceledException) when (Stopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            _coordinatorCalls.TryRemove(request.CorrelationId, out _);
        }
    }

    /// <summary>Handles a coordinator message from a peer: serves requests (answers go back over <paramref name="link"/>)
    /// and completes the calls that answers are for.</summary>
    private void OnCoordinatorMessage(PeerLink link, CoordinatorMessage message)
    {
        switch (message)
        {
            case CoordinatorJoinRequest join:
                _ = AnswerAsync(link, join.Request.GroupId, "JoinGroup", () => ServeJoin(join.Request),
                    r => new CoordinatorJoinResponse(join.CorrelationId, r));
                break;
            case CoordinatorSyncRequest sync:
                _ = AnswerAsync(link, sync.Request.GroupId, "SyncGroup", () => ServeSync(sync.Request),
                    r => new CoordinatorSyncResponse(sync.CorrelationId, r));
                break;
            case CoordinatorHeartbeatRequest beat:
                _ = AnswerAsync(link, beat.Request.GroupId, "Heartbeat", () => Task.FromResult(ServeHeartbeat(beat.Request)),
                    r => new CoordinatorHeartbeatResponse(beat.CorrelationId, r));
                break;
            case CoordinatorLeaveRequest leave:
                _ = AnswerAsync(link, leave.GroupId, "LeaveGroup", () => Task.FromResult(ServeLeave(leave.GroupId, leave.Members)),
                    r => new CoordinatorLeaveResponse(leave.CorrelationId, r));
                break;
            case CoordinatorCommitRequest commit:
                _ = AnswerAsync(link, commit.GroupId, "OffsetCommit", () => ServeCommitAsync(commit), r => r);
                break;
            default:
                // An answer: it completes the call with its correlation id, if that call went to this peer.
                if (_coordinatorCalls.TryGetValue(message.CorrelationId, out var pending) && pending.Target == link.RemoteNodeId
                    && _coordinatorCalls.TryRemove(message.CorrelationId, out _))
                {
                    pending.Answer.TrySetResult(message);
                }

                break;
        }
    }

    private async Task AnswerAsync<T>(PeerLink link, string groupId, string request, Func<Task<T>> serve, Func<T, CoordinatorMessage> wrap)
    {
        try
        {
            var result = await serve().ConfigureAwait(false);
            link.TrySend(MessageCodec.Encode(wrap(result)));
        }
        catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException && Stopping.IsCancellationRequested)
        {
            // Shutting down: the member's node times out and finds the next coordinator.
        }
#pragma warning disable CA1031 // A request's boundary: logged; the member's node times out and retries.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ClusterLog.CoordinatorRequestFailed(_logger, e, NodeId, request, groupId, link.RemoteNodeId);
        }
    }

    /// <summary>Ends the calls waiting for node <paramref name="peer"/>: their answers can no longer arrive.</summary>
    private void FailCoordinatorCalls(int peer)
    {
        foreach (var (id, pending) in _coordinatorCalls)
        {
            if (pending.Target == peer && _coordinatorCalls.TryRemove(id, out _))
            {
                pending.Answer.TrySetResult(null);
            }
        }
    }

    /// <summary>A coordinator call waiting for the answer of node <paramref name="Target"/>.</summary>
    private sealed record PendingCoordinatorCall(TaskCompletionSource<CoordinatorMessage?> Answer, int Target);
}

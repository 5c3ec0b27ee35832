using DotNext.Net.Cluster;
using DotNext.Net.Cluster.Consensus.Raft;

namespace CommitLog.Replication.Control;

/// <content>Proposing commands, and the controller's liveness duty (register, fence, unfence).</content>
public sealed partial class RaftControlPlane
{
    private static readonly TimeSpan LivenessCheckInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Appends <paramref name="command"/> to the Raft log through the controller (directly when this node is the
    /// controller, forwarded otherwise), retrying while no controller is reachable, and returns the change once this
    /// node applied the entry. A submission that failed ambiguously may be committed twice; the second application
    /// is rejected by the state machine's epoch and existence checks for every command this class proposes.
    /// </summary>
    internal async ValueTask<MetadataChange> ProposeAsync(MetadataCommand command, CancellationToken cancellationToken)
    {
        RaftMetadataStateMachine stateMachine = _stateMachine ?? throw new InvalidOperationException("StartAsync was not called.");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        CancellationToken ct = linked.Token;
        var requestId = Guid.NewGuid();
        byte[] entry = RaftEntryCodec.Encode(requestId, command);
        Task<MetadataChange> applied = stateMachine.Expect(requestId);
        ClusterMetadata before = stateMachine.Cell.Current;
        try
        {
            while (!applied.IsCompleted)
            {
                if (await TrySubmitAsync(entry, ct).ConfigureAwait(false))
                {
                    break;
                }

                await Task.WhenAny(applied, Task.Delay(_options.HeartbeatInterval, ct)).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
            }

            MetadataChange change = await applied.WaitAsync(ct).ConfigureAwait(false);
            _metrics.Report(change, before);
            return change;
        }
        finally
        {
            stateMachine.Forget(requestId);
        }
    }

    private async ValueTask<bool> TrySubmitAsync(byte[] entry, CancellationToken cancellationToken)
    {
        RaftCluster cluster = _cluster!;
        int controller = ControllerId;
        if (controller < 0)
        {
            return false;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout * 2);
        try
        {
            if (controller != NodeId)
            {
                return await ForwardAsync(_options.Members.Single(m => m.NodeId == controller), entry, timeout.Token).ConfigureAwait(false);
            }

            await ReplicateCommittedAsync(entry, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not ObjectDisposedException)
        {
            LogSubmitFailed(controller, ex.Message);
            return false;
        }
    }

    /// <summary>
    /// Appends an entry on the controller and waits until it is committed, then starts a replication round at once so
    /// the other members learn the new commit index (and apply the change) now rather than at the next heartbeat:
    /// a fenced leader's partitions move one heartbeat sooner.
    /// </summary>
    private async Task ReplicateCommittedAsync(ReadOnlyMemory<byte> entry, CancellationToken cancellationToken)
    {
        RaftCluster cluster = _cluster!;
        await cluster.ReplicateAsync(entry, null, cancellationToken).ConfigureAwait(false);
        _ = AnnounceCommitAsync(cluster);
    }

    private async Task AnnounceCommitAsync(RaftCluster cluster)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(_options.RequestTimeout);
            await cluster.ForceReplicationAsync(timeout.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Best effort: the next heartbeat carries the commit index anyway.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private async Task RunLivenessAsync(CancellationToken cancellationToken)
    {
        var lastHeard = new Dictionary<int, long>();
        bool leading = false;

        // Checked more often than heartbeats are sent, so a node is fenced within a few milliseconds of its session
        // running out rather than up to a heartbeat interval later.
        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Min(_options.HeartbeatInterval.Ticks, LivenessCheckInterval.Ticks)));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!IsController)
                {
                    leading = false;
                    continue;
                }

                long now = Environment.TickCount64;
                if (!leading)
                {
                    // A new controller gives every member a full session from its election, except the previous
                    // controller: nobody had heard from it for an election timeout when this node first found itself
                    // without a leader (before the election, which may have taken more than one round).
                    foreach (ControlPlaneMember member in _options.Members)
                    {
                        lastHeard[member.NodeId] = now;
                    }

                    int previous = Volatile.Read(ref _previousController);
                    if (previous >= 0 && previous != NodeId)
                    {
                        long lostAt = Math.Min(now, Volatile.Read(ref _previousControllerLostAt));
                        lastHeard[previous] = lostAt - (long)_options.ElectionTimeout.TotalMilliseconds;
                    }

                    leading = true;
                }

                try
                {
                    await CheckMembersAsync(lastHeard, now, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    LogLivenessFailed(ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task CheckMembersAsync(Dictionary<int, long> lastHeard, long now, CancellationToken cancellationToken)
    {
        var alive = new HashSet<int> { NodeId };
        foreach (RaftClusterMember member in _cluster!.Members)
        {
            if (_nodeByEndPoint.TryGetValue(member.EndPoint, out int id) && member.Status == ClusterMemberStatus.Available)
            {
                alive.Add(id);
            }
        }

        long sessionMs = (long)_options.BrokerSessionTimeout.TotalMilliseconds;
        foreach (ControlPlaneMember member in _options.Members)
        {
            if (!IsController)
            {
                return;
            }

            ClusterMetadata metadata = _stateMachine!.Cell.Current;
            metadata.Brokers.TryGetValue(member.NodeId, out BrokerRegistration? registration);
            MetadataCommand? command = null;
            if (alive.Contains(member.NodeId))
            {
                lastHeard[member.NodeId] = now;
                if (registration is null || registration.Address != member.BrokerAddress)
                {
                    command = new RegisterBroker(member.NodeId, member.BrokerAddress);
                }
                else if (registration.IsFenced)
                {
                    command = new UnfenceBroker(member.NodeId);
                }
            }
            else if (registration is { IsFenced: false } && now - lastHeard[member.NodeId] >= sessionMs)
            {
                command = new FenceBroker(member.NodeId);
            }

            if (command is not null)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_options.RequestTimeout * 4);
                LogLiveness(command.GetType().Name, member.NodeId);
                await ProposeAsync(command, timeout.Token).ConfigureAwait(false);
            }
        }
    }
}

using System.Text.RegularExpressions;
using CommitLog.Groups.Assignors;
using CommitLog.Groups.Coordinator;
using CommitLog.Storage;
using Microsoft.Extensions.Logging;

namespace CommitLog.Groups.Membership;

/// <summary>
/// A consumer's membership of its group through an <see cref="IGroupCoordinatorClient"/> (the broker's own coordinator,
/// or on a cluster node the group's coordinator wherever it runs): joins and syncs with the
/// configured assignor (running it when it leads), heartbeats on a background timer every <c>heartbeat.interval.ms</c>,
/// leaves the group when <c>max.poll.interval.ms</c> passes without a poll, and notices topics that appear or grow.
/// Listener callbacks run only inside <see cref="PollAsync"/> and <see cref="LeaveAsync"/>, on the caller's thread.
/// </summary>
/// <remarks>Thread-safety: <see cref="PollAsync"/>, <see cref="LeaveAsync"/> and the subscribe methods are called by one
/// consumer thread at a time (the consumer serializes them); <see cref="Generation"/> and <see cref="Assignment"/> may be
/// read from any thread. The heartbeat timer runs concurrently and only sets flags that the next poll acts on.</remarks>
internal sealed partial class GroupMembership : IGroupMembership
{
    private static readonly TimeSpan MetadataRefreshInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CatchUpRetryBackoff = TimeSpan.FromMilliseconds(100); // Kafka's retry.backoff.ms default
    private readonly IGroupCoordinatorClient _coordinator;
    private readonly IGroupTopicMetadata _topics;
    private readonly ConsumerConfig _config;
    private readonly string _groupId;
    private readonly IReadOnlyList<IPartitionAssignor> _assignors;
    private readonly bool _cooperative;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _heartbeatTimer;
    private readonly Func<string, CancellationToken, ValueTask>? _catchUpOffsets;
    private readonly Lock _lock = new();
    private readonly HashSet<TopicPartition> _assignment = [];
    private TopicPartition[] _assignmentView = [];
    private IReadOnlyList<string>? _topicList;
    private Regex? _pattern;
    private string _memberId = string.Empty;
    private int _generationId = -1;
    private bool _inGroup;
    private bool _isLeader;
    private bool _joinInFlight;
    private string? _rejoinReason;
    private string? _lostReason;
    private CommitLogException? _fatal;
    private DateTimeOffset _lastPoll;
    private DateTimeOffset _nextMetadataCheck;
    private IReadOnlyList<string> _joinedTopics = [];
    private Dictionary<string, int>? _leaderSnapshot;
    private Task<JoinOutcome>? _joinTask;
    private Task? _pendingRequest;
    private CancellationTokenSource? _joinCancel;
    private bool _heartbeatInFlight;
    private bool _disposed;

    /// <summary>Creates a membership; it joins at the first poll after a subscribe.</summary>
    /// <param name="coordinator">The way to the group's coordinator.</param>
    /// <param name="topics">Topic partition counts and names.</param>
    /// <param name="config">The consumer's settings; <c>group.id</c> is required.</param>
    /// <param name="time">The clock of heartbeats and the poll interval.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="catchUpOffsets">Waited for before each join and again after each sync, before the assignment is applied
    /// (a cluster node's read barrier over the replicated committed offsets, <see cref="GroupOffsetStore.CatchUpAsync"/>), or
    /// <see langword="null"/>.</param>
    /// <exception cref="ArgumentException"><c>group.id</c> is not set.</exception>
    public GroupMembership(
        IGroupCoordinatorClient coordinator, IGroupTopicMetadata topics, ConsumerConfig config, TimeProvider time, ILogger logger,
        Func<string, CancellationToken, ValueTask>? catchUpOffsets = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        _coordinator = coordinator;
        _topics = topics;
        _config = config;
        _groupId = config.GroupId ?? throw new ArgumentException(
            "A group member needs group.id; set it, or assign partitions manually without a group.", nameof(config));
        _assignors = [.. config.PartitionAssignmentStrategies.Select(PartitionAssignors.For)];
        // Kafka: the rebalance protocol is cooperative only if every supported assignor is (KIP-429's upgrade path).
        _cooperative = _assignors.All(a => a.IsCooperative);
        _time = time;
        _logger = logger;
        _catchUpOffsets = catchUpOffsets;
        _lastPoll = time.GetUtcNow();
        _heartbeatTimer = time.CreateTimer(_ => OnHeartbeat(), null, config.HeartbeatIntervalMs, config.HeartbeatIntervalMs);
    }

    /// <inheritdoc/>
    public GroupGeneration Generation
    {
        get
        {
            lock (_lock)
            {
                return _inGroup ? new GroupGeneration(_generationId, _memberId, _config.GroupInstanceId) : GroupGeneration.None;
            }
        }
    }

    /// <inheritdoc/>
    public IReadOnlyCollection<TopicPartition> Assignment => Volatile.Read(ref _assignmentView);

    /// <summary>Gets the member id the coordinator gave (empty before the first join).</summary>
    internal string MemberId
    {
        get
        {
            lock (_lock)
            {
                return _memberId;
            }
        }
    }

    /// <summary>Gets whether the member is in a generation with nothing pending: no join in flight and no rejoin or loss to act on.</summary>
    internal bool IsSettled
    {
        get
        {
            lock (_lock)
            {
                return _inGroup && !_joinInFlight && _rejoinReason is null && _lostReason is null && _joinTask is null;
            }
        }
    }

    /// <summary>
    /// Gets whether nothing can happen in this member without a poll or the coordinator: no join in flight, or the join
    /// waits for the coordinator's answer (which only other members or time can bring). Lets tests that drive time step by
    /// step advance the clock only when the members are idle.
    /// </summary>
    internal bool IsWaitingForCoordinatorOrIdle
    {
        get
        {
            lock (_lock)
            {
                return _joinTask is null || _joinTask.IsCompleted || _pendingRequest is { IsCompleted: false };
            }
        }
    }

    /// <summary>Gets whether the last join finished (or none started).</summary>
    internal bool IsJoinCompleted
    {
        get
        {
            lock (_lock)
            {
                return _joinTask is null || _joinTask.IsCompleted;
            }
        }
    }

    /// <inheritdoc/>
    public void Subscribe(IReadOnlyCollection<string> topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        foreach (string topic in topics)
        {
            if (string.IsNullOrEmpty(topic))
            {
                throw new ArgumentException("A subscribed topic name is null or empty; name existing or future topics.", nameof(topics));
            }
        }

        lock (_lock)
        {
            ThrowIfDisposed();
            _topicList = [.. topics.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
            _pattern = null;
            MarkSubscriptionChanged();
        }
    }

    /// <inheritdoc/>
    public void Subscribe(Regex pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        lock (_lock)
        {
            ThrowIfDisposed();
            _pattern = pattern;
            _topicList = null;
            _nextMetadataCheck = DateTimeOffset.MinValue;
            MarkSubscriptionChanged();
        }
    }

    /// <summary>Stops heartbeats and joins without leaving, as a killed process would: the coordinator removes the member
    /// after its session timeout. For tests that simulate crashes.</summary>
    internal void Abandon()
    {
        lock (_lock)
        {
            _disposed = true;
            _joinCancel?.Cancel();
        }

        _heartbeatTimer.Dispose();
    }

    /// <summary>Stops heartbeats and any join; a member still in the group (and not static) leaves it, without callbacks.
    /// Call <see cref="LeaveAsync"/> first to revoke through the listener.</summary>
    public ValueTask DisposeAsync()
    {
        string memberId;
        lock (_lock)
        {
            if (_disposed)
            {
                return ValueTask.CompletedTask;
            }

            _disposed = true;
            _joinCancel?.Cancel();
            memberId = _memberId;
        }

        _heartbeatTimer.Dispose();
        if (memberId.Length > 0 && _config.GroupInstanceId is null)
        {
            TryLeave(memberId, "the consumer was closed");
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Sends LeaveGroup; a broker that is closing has nothing left to leave.</summary>
    private void TryLeave(string memberId, string reason)
    {
        try
        {
            _coordinator.Leave(_groupId, [new LeaveGroupMember(memberId, null, reason)]);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void MarkSubscriptionChanged()
    {
        if (_inGroup || _joinInFlight)
        {
            _rejoinReason ??= "the subscription changed";
        }
    }

    /// <summary>The topics the member subscribes to now (a pattern's current matches), sorted.</summary>
    private IReadOnlyList<string> ResolveTopics()
    {
        lock (_lock)
        {
            if (_topicList is not null)
            {
                return _topicList;
            }

            if (_pattern is null)
            {
                return [];
            }
        }

        return [.. _topics.ListTopics().Where(t => _pattern.IsMatch(t)).Order(StringComparer.Ordinal)];
    }

    private void SetAssignmentView() => Volatile.Write(ref _assignmentView, [.. _assignment]);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}

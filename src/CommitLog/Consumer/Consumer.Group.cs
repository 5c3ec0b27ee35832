using System.Text.RegularExpressions;
using CommitLog.Groups;

namespace CommitLog;

/// <content>Subscribe mode: the group membership assigns partitions through <see cref="IAssignmentListener"/>.</content>
internal sealed partial class Consumer<TKey, TValue> : IAssignmentListener
{
    private IGroupMembership? _membership;
    private IReadOnlyList<string> _subscription = [];
    private bool _subscribed;

    public IReadOnlyList<string> Subscription => _subscription;

    public void Subscribe(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        Subscribe([topic]);
    }

    public void Subscribe(IEnumerable<string> topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var list = topics.Distinct(StringComparer.Ordinal).ToList();
        if (list.Count == 0 || list.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("Subscribe needs at least one topic name, and no name may be null or empty; " +
                "to stop consuming call Unsubscribe.", nameof(topics));
        }

        PrepareMembership().Subscribe(list);
        _subscription = list;
        _subscribed = true;
        ConsumerLogMessages.Subscribed(_logger, Name, string.Join(", ", list), GroupId);
    }

    public void Subscribe(Regex pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        PrepareMembership().Subscribe(pattern);
        _subscription = [];
        _subscribed = true;
        ConsumerLogMessages.Subscribed(_logger, Name, pattern.ToString(), GroupId);
    }

    public void Unsubscribe()
    {
        ThrowIfClosed();
        if (_membership is { } membership)
        {
            using var bound = new CancellationTokenSource(_settings.CloseTimeout, _time);
            Wait(membership.LeaveAsync(this, bound.Token));
        }

        _subscription = [];
        _subscribed = false;
    }

    async ValueTask IAssignmentListener.OnPartitionsAssignedAsync(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        ConsumerMetrics.Rebalanced(GroupId);
        lock (_gate)
        {
            var fresh = partitions.Where(tp => !_fetchers.ContainsKey(tp)).Select(tp => new TopicPartitionOffset(tp, Offset.Stored)).ToList();
            StartFetchers(ResolveStarts(fresh, allowAssigned: false));
        }

        ConsumerLogMessages.GroupAssigned(_logger, Name, partitions.Count, GroupId);
        if (_handlers.Assigned is { } handler)
        {
            await handler(this, partitions, cancellationToken).ConfigureAwait(false);
        }
    }

    async ValueTask IAssignmentListener.OnPartitionsRevokedAsync(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        ConsumerLogMessages.GroupRevoked(_logger, Name, partitions.Count, GroupId);
        if (_handlers.Revoked is { } handler)
        {
            await handler(this, partitions, cancellationToken).ConfigureAwait(false);
        }

        if (_config.EnableAutoCommit)
        {
            await AutoCommitAsync(cancellationToken, partitions).ConfigureAwait(false);
        }

        StopAssigned(partitions);
    }

    async ValueTask IAssignmentListener.OnPartitionsLostAsync(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        ConsumerLogMessages.GroupLost(_logger, Name, partitions.Count, GroupId);
        if (_handlers.Lost is { } handler)
        {
            await handler(this, partitions, cancellationToken).ConfigureAwait(false);
        }

        StopAssigned(partitions);
    }

    private void StopAssigned(IReadOnlyList<TopicPartition> partitions)
    {
        lock (_gate)
        {
            StopFetchers([.. partitions.Where(_fetchers.ContainsKey).Select(tp => _fetchers[tp])]);
        }
    }

    private IGroupMembership PrepareMembership()
    {
        lock (_gate)
        {
            ThrowIfClosed();
            RequireGroup("subscribe");
            if (!_subscribed && _order.Count > 0)
            {
                throw new InvalidOperationException(
                    $"Consumer {Name} has partitions assigned manually ({DescribeAssignment()}); call Unassign before Subscribe.");
            }

            return _membership ??= _settings.MembershipFactory(_config, _logger);
        }
    }

    private void ThrowIfSubscribed(string action)
    {
        if (_subscribed)
        {
            throw new InvalidOperationException(
                $"Consumer {Name} is subscribed to group '{GroupId}', which assigns its partitions; {action} is for manual assignment. " +
                "Call Unsubscribe first, or use another consumer.");
        }
    }
}

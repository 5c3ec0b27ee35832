using System.Text.RegularExpressions;

namespace CommitLog.Groups;

/// <summary>
/// A consumer's membership of its group: joins, syncs, heartbeats in the background, runs the assignor when it leads,
/// and reports assignment changes through <see cref="IAssignmentListener"/>. One per subscribing consumer.
/// </summary>
internal interface IGroupMembership : IAsyncDisposable
{
    /// <summary>Gets the generation to commit with (<see cref="GroupGeneration.None"/> while not in a generation).</summary>
    GroupGeneration Generation { get; }

    /// <summary>Gets the partitions currently assigned to this member.</summary>
    IReadOnlyCollection<TopicPartition> Assignment { get; }

    /// <summary>Subscribes to a set of topics, replacing any previous subscription; takes effect at the next poll.</summary>
    /// <param name="topics">The topic names.</param>
    void Subscribe(IReadOnlyCollection<string> topics);

    /// <summary>Subscribes to every topic whose name matches, now and as topics are created; replaces any previous subscription.</summary>
    /// <param name="pattern">The pattern.</param>
    void Subscribe(Regex pattern);

    /// <summary>
    /// Drives the group protocol forward from the consumer's poll: records the poll (for <c>max.poll.interval.ms</c>),
    /// joins or rejoins when needed and invokes the listener's callbacks on this thread. Returns quickly when nothing
    /// is pending; waits for a rebalance in progress to finish (bounded by <c>max.poll.interval.ms</c>).
    /// </summary>
    /// <param name="listener">Receives assignment changes.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the assignment is current.</returns>
    ValueTask PollAsync(IAssignmentListener listener, CancellationToken cancellationToken);

    /// <summary>Leaves the group (revoking the assignment through <paramref name="listener"/>) and stops heartbeats;
    /// the membership may subscribe and join again later.</summary>
    /// <param name="listener">Receives the final revocation.</param>
    /// <param name="cancellationToken">Bounds the leave.</param>
    /// <returns>A task that completes when the member has left.</returns>
    ValueTask LeaveAsync(IAssignmentListener listener, CancellationToken cancellationToken);
}

using CommitLog.Storage;

namespace CommitLog.Replication.Cluster;

/// <summary>
/// A write to a replicated partition was not acknowledged: this node could not reach the partition's leader, the
/// leader changed, too few replicas are in sync (<c>min.insync.replicas</c>), or the in-sync replicas did not confirm
/// it in time. <see cref="CommitLogException.ErrorCode"/> says which. A retriable failure can be retried safely: an idempotent
/// producer retries with the same sequence numbers, and the (new) leader recognizes a batch it already has.
/// </summary>
public sealed class ReplicationException : CommitLogException
{
    private readonly bool _retriable;

    /// <summary>Creates the exception.</summary>
    /// <param name="errorCode">Kafka's code: NotLeaderOrFollower, NotEnoughReplicas, NotEnoughReplicasAfterAppend or RequestTimedOut.</param>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause, if any.</param>
    /// <param name="retriable">Whether retrying may succeed.</param>
    internal ReplicationException(ErrorCode errorCode, string message, Exception? innerException = null, bool retriable = true)
        : base(errorCode, message, innerException)
    {
        _retriable = retriable;
    }

    /// <summary>Gets a value indicating whether retrying may succeed: true for a lost or changed leader, too few in-sync
    /// replicas and timeouts; false when the leader rejected the records themselves (sequence, size, corruption).</summary>
    public override bool IsRetriable => _retriable;
}

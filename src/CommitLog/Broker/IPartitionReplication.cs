using CommitLog.Storage;

namespace CommitLog;

/// <summary>
/// The seam through which a cluster node (CommitLog.Replication) takes over writes to replicated topics: the broker
/// hands it every producer append to such a topic, and opens those topics' logs with a replicated high watermark, so
/// consumers read only what the in-sync replicas hold.
/// </summary>
internal interface IPartitionReplication
{
    /// <summary>Gets the node id that makes producer ids unique across the cluster (0 to <see cref="Broker.MaxClusterNodes"/> - 1).</summary>
    int NodeId { get; }

    /// <summary>Returns whether <paramref name="topic"/> is replicated (every topic but the broker's internal ones).</summary>
    bool IsReplicated(string topic);

    /// <summary>
    /// Blocks until this node knows <paramref name="topic"/> (it applied the metadata that names it and created its
    /// copy) or <paramref name="timeout"/> elapses; returns whether it knows the topic.
    /// </summary>
    bool WaitForTopic(string topic, TimeSpan timeout);

    /// <summary>
    /// Throws when a replicated topic's settings cannot be replicated (a cluster node refuses a <c>max.message.bytes</c>
    /// larger than one transport frame carries); the broker calls it before it creates the topic or changes its settings.
    /// </summary>
    /// <exception cref="ArgumentException">A setting cannot be replicated; the message names it and what is allowed.</exception>
    void CheckTopicConfig(string topic, TopicConfig config)
    {
    }

    /// <summary>
    /// Appends a producer's batches to a replicated partition: on its leader (locally or by forwarding), completing
    /// as <paramref name="acks"/> asks (all: once every in-sync replica has the records).
    /// </summary>
    /// <remarks>The append must be ordered before this returns (handed to the local leader, or queued on the ordered
    /// link to the remote one): a producer with several batches of a partition in flight issues the next one right
    /// after this returns, and relies on the leader taking them in that order.</remarks>
    ValueTask<AppendResult> AppendAsync(TopicPartition topicPartition, Memory<byte> batches, Acks acks, CancellationToken cancellationToken);
}

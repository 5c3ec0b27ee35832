using CommitLog.Replication.Replica;
using CommitLog.Storage;

namespace CommitLog.Replication.Cluster;

/// <summary>
/// The replication core's view of one partition log of the node's <see cref="Broker"/>: a
/// <see cref="PartitionLogReplica"/> that looks the log up on every call, so a log the broker reopened (a config
/// change) is followed, and appends through the broker, which retries on the reopened log. The core is synchronous: an
/// append completes before the call returns, waiting only when the topic's flush policy makes the log wait for the
/// flush (<see cref="FlushPolicy.BeforeAck"/>), so the log end the core reports to the leader is as durable as the policy says.
/// </summary>
internal static class BrokerReplicaLog
{
    public static PartitionLogReplica Create(Broker broker, TopicPartition partition)
        => new(
            () => broker.TryGetPartitionLog(partition, out var log)
                ? log
                : throw new InvalidOperationException($"The broker has no log for {partition.Topic}-{partition.Partition.Value}."),
            batches => broker.AppendAsync(partition, batches, CancellationToken.None));
}

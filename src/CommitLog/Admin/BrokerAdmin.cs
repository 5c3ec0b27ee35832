using CommitLog.Storage;

namespace CommitLog;

/// <summary>
/// Administration of a <see cref="Broker"/> (<see cref="Broker.Admin"/>), with the operations and errors of Kafka's
/// admin client: topics (here) and consumer groups with their lag (the group operations). Every topic change is durable
/// when its task completes: the topic metadata is written crash-safely first, then the partition logs are created,
/// closed or reopened, so a crash at any point leaves each topic either fully there or fully gone after the next open.
/// </summary>
/// <remarks>Thread-safe. Changes are serialized with each other; describing and listing never wait for them.</remarks>
public sealed partial class BrokerAdmin
{
    private readonly Broker _broker;

    internal BrokerAdmin(Broker broker) => _broker = broker;

    /// <summary>Creates a topic with <paramref name="partitions"/> empty partitions.</summary>
    /// <param name="name">The topic name: 1 to 249 characters from <c>[a-zA-Z0-9._-]</c>, not <c>.</c> or <c>..</c>.</param>
    /// <param name="partitions">The number of partitions, 1 or more.</param>
    /// <param name="config">The topic's settings, or <see langword="null"/> for <see cref="BrokerOptions.DefaultTopicConfig"/>.
    /// Durations are stored in whole milliseconds (Kafka's unit), rounded up.</param>
    /// <param name="cancellationToken">Cancels waiting for another topic change; once the metadata is written the creation
    /// completes.</param>
    /// <returns>A task that completes when the topic exists durably and its partitions accept appends.</returns>
    /// <exception cref="InvalidTopicException">The name is not legal, or collides with an existing topic's name ('.' versus '_').</exception>
    /// <exception cref="InvalidPartitionsException"><paramref name="partitions"/> is 0 or negative.</exception>
    /// <exception cref="ArgumentOutOfRangeException">On a cluster node: <c>max.message.bytes</c> is larger than the node can
    /// replicate in one transport frame (the message names the limit).</exception>
    /// <exception cref="TopicAlreadyExistsException">The topic exists, or its deletion has not finished.</exception>
    /// <exception cref="IOException">The storage failed; the topic was not created (or is completed on the next open).</exception>
    /// <exception cref="ObjectDisposedException">The broker was disposed.</exception>
    public ValueTask CreateTopicAsync(string name, int partitions, TopicConfig? config = null, CancellationToken cancellationToken = default)
        => _broker.CreateTopicAsync(name, partitions, config, cancellationToken);

    /// <summary>Lists the names of the topics, in ordinal order.</summary>
    /// <param name="cancellationToken">Not used: the list is in memory. Present for symmetry with the other calls.</param>
    /// <returns>The topic names.</returns>
    /// <exception cref="ObjectDisposedException">The broker was disposed.</exception>
    public ValueTask<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_broker.ListTopics());
    }

    /// <summary>Describes a topic: its id, each partition's log start and end offsets, and its settings.</summary>
    /// <param name="name">The topic name.</param>
    /// <param name="cancellationToken">Not used: the description is in memory.</param>
    /// <returns>The description, as of the call.</returns>
    /// <exception cref="UnknownTopicOrPartitionException">The topic does not exist.</exception>
    /// <exception cref="ObjectDisposedException">The broker was disposed.</exception>
    public ValueTask<TopicDescription> DescribeTopicAsync(string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_broker.DescribeTopic(name));
    }

    /// <summary>
    /// Deletes a topic and all its records: marks it deleted in the metadata (from then on it is gone, even after a crash),
    /// closes its partition logs and removes their files.
    /// </summary>
    /// <param name="name">The topic name.</param>
    /// <param name="cancellationToken">Cancels waiting for another topic change.</param>
    /// <returns>A task that completes when the topic is gone durably.</returns>
    /// <exception cref="UnknownTopicOrPartitionException">The topic does not exist.</exception>
    /// <exception cref="IOException">The storage failed after the topic was marked deleted; the next open finishes the deletion.</exception>
    /// <exception cref="ObjectDisposedException">The broker was disposed.</exception>
    public ValueTask DeleteTopicAsync(string name, CancellationToken cancellationToken = default)
        => _broker.DeleteTopicAsync(name, cancellationToken);

    /// <summary>Increases a topic's partition count to <paramref name="totalCount"/> (Kafka <c>NewPartitions.increaseTo</c>). Keyed
    /// records may map to other partitions afterwards, as in Kafka.</summary>
    /// <param name="name">The topic name.</param>
    /// <param name="totalCount">The new total number of partitions, larger than the current one.</param>
    /// <param name="cancellationToken">Cancels waiting for another topic change.</param>
    /// <returns>A task that completes when the new partitions exist durably and accept appends.</returns>
    /// <exception cref="UnknownTopicOrPartitionException">The topic does not exist.</exception>
    /// <exception cref="InvalidPartitionsException"><paramref name="totalCount"/> is not larger than the current count.</exception>
    /// <exception cref="IOException">The storage failed; the count is unchanged (or completed on the next open).</exception>
    /// <exception cref="ObjectDisposedException">The broker was disposed.</exception>
    public ValueTask CreatePartitionsAsync(string name, int totalCount, CancellationToken cancellationToken = default)
        => _broker.CreatePartitionsAsync(name, totalCount, cancellationToken);

    /// <summary>
    /// Replaces a topic's settings with <paramref name="config"/> (Kafka <c>AlterConfigs</c>: settings not given return to
    /// their defaults). Every setting takes effect at once: when a setting of the partition logs changes
    /// (<c>segment.*</c>, <c>retention.*</c>, <c>max.message.bytes</c>, <c>index.interval.bytes</c>,
    /// <c>message.timestamp.type</c>, <c>flush.*</c>), each partition log is closed cleanly and reopened with the new
    /// settings, because a log's settings are fixed while it is open; appends and waiting reads meeting the swap retry on
    /// the reopened log. Other settings (<c>compression.type</c>, <c>cleanup.policy</c>, <c>min.insync.replicas</c>, ...)
    /// need no reopen.
    /// </summary>
    /// <param name="name">The topic name.</param>
    /// <param name="config">The new settings.</param>
    /// <param name="cancellationToken">Cancels waiting for another topic change.</param>
    /// <returns>A task that completes when the settings are stored durably and in effect.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="config"/> is null.</exception>
    /// <exception cref="UnknownTopicOrPartitionException">The topic does not exist.</exception>
    /// <exception cref="ArgumentOutOfRangeException">On a cluster node: <c>max.message.bytes</c> is larger than the node can
    /// replicate in one transport frame (the message names the limit); nothing changed.</exception>
    /// <exception cref="IOException">The storage failed.</exception>
    /// <exception cref="CommitLogException">Reopening a partition log failed; it stays closed until the broker is reopened.</exception>
    /// <exception cref="ObjectDisposedException">The broker was disposed.</exception>
    public ValueTask AlterTopicConfigAsync(string name, TopicConfig config, CancellationToken cancellationToken = default)
        => _broker.AlterTopicConfigAsync(name, config, cancellationToken);
}

using System.Text.RegularExpressions;

namespace CommitLog;

/// <summary>
/// Reads records from the topics of a <see cref="Broker"/>, Kafka-style: assign partitions yourself (<see cref="Assign(IEnumerable{TopicPartitionOffset})"/>)
/// or subscribe as a member of a consumer group (<see cref="Subscribe(IEnumerable{string})"/>), then consume, and commit
/// the offset of the next record to read. Create one with <see cref="ConsumerBuilder{TKey, TValue}"/> or
/// <see cref="Broker.CreateConsumer{TKey, TValue}"/>.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <remarks>
/// <para>Thread-safety: members are serialized internally, so any thread may call them, but records are meant to be
/// consumed by one thread (or one async flow) at a time, as in Kafka. <see cref="IAsyncDisposable.DisposeAsync"/> may race a
/// waiting <see cref="Consume(TimeSpan)"/>, which then throws <see cref="ObjectDisposedException"/>.</para>
/// <para>Partitions are fetched ahead in the background, woken by appends (never by polling); prefetched bytes are bounded
/// by <c>fetch.max.bytes</c> over the consumer and <c>max.partition.fetch.bytes</c> per partition.</para>
/// </remarks>
public interface IConsumer<TKey, TValue> : IAsyncDisposable, IDisposable
{
    /// <summary>Gets the consumer's name: its <c>client.id</c> and an instance number, e.g. <c>billing#consumer-2</c>.</summary>
    string Name { get; }

    /// <summary>Gets the configured <c>client.id</c> (may be empty).</summary>
    string ClientId { get; }

    /// <summary>Gets the member id the group coordinator gave this consumer, or empty when not in a group.</summary>
    string MemberId { get; }

    /// <summary>Gets the subscribed topics (empty for manual assignment or a pattern subscription).</summary>
    IReadOnlyList<string> Subscription { get; }

    /// <summary>Gets the partitions currently assigned, manually or by the group.</summary>
    IReadOnlyList<TopicPartition> Assignment { get; }

    /// <summary>Subscribes to one topic as a member of <c>group.id</c>, replacing any subscription.</summary>
    /// <param name="topic">The topic.</param>
    /// <exception cref="InvalidOperationException">No <c>group.id</c> is set, or partitions are assigned manually.</exception>
    void Subscribe(string topic);

    /// <summary>Subscribes to topics as a member of <c>group.id</c>, replacing any subscription; the group assigns partitions at the next consume.</summary>
    /// <param name="topics">The topics.</param>
    /// <exception cref="InvalidOperationException">No <c>group.id</c> is set, or partitions are assigned manually.</exception>
    void Subscribe(IEnumerable<string> topics);

    /// <summary>Subscribes to every topic whose name matches <paramref name="pattern"/>, now and later.</summary>
    /// <param name="pattern">The pattern.</param>
    /// <exception cref="InvalidOperationException">No <c>group.id</c> is set, or partitions are assigned manually.</exception>
    void Subscribe(Regex pattern);

    /// <summary>Leaves the group (revoking the assignment) and clears the subscription.</summary>
    void Unsubscribe();

    /// <summary>Assigns partitions manually, replacing the assignment; each starts at its committed offset, or per <c>auto.offset.reset</c>.</summary>
    /// <param name="partitions">The partitions.</param>
    /// <exception cref="UnknownTopicOrPartitionException">A partition does not exist.</exception>
    /// <exception cref="InvalidOperationException">The consumer is subscribed to a group.</exception>
    void Assign(IEnumerable<TopicPartition> partitions);

    /// <summary>Assigns partitions manually at given offsets (<see cref="Offset.Beginning"/>, <see cref="Offset.End"/>,
    /// <see cref="Offset.Stored"/>/<see cref="Offset.Unset"/> for the committed one, or an offset), replacing the assignment.</summary>
    /// <param name="partitions">The partitions and starting offsets.</param>
    /// <exception cref="UnknownTopicOrPartitionException">A partition does not exist.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An offset is beyond the partition's log end.</exception>
    /// <exception cref="InvalidOperationException">The consumer is subscribed to a group.</exception>
    void Assign(IEnumerable<TopicPartitionOffset> partitions);

    /// <summary>Adds partitions to the assignment; see <see cref="Assign(IEnumerable{TopicPartitionOffset})"/>.</summary>
    /// <param name="partitions">The partitions and starting offsets.</param>
    /// <exception cref="ArgumentException">A partition is already assigned.</exception>
    void IncrementalAssign(IEnumerable<TopicPartitionOffset> partitions);

    /// <summary>Adds partitions to the assignment, starting at their committed offsets or per <c>auto.offset.reset</c>.</summary>
    /// <param name="partitions">The partitions.</param>
    /// <exception cref="ArgumentException">A partition is already assigned.</exception>
    void IncrementalAssign(IEnumerable<TopicPartition> partitions);

    /// <summary>Removes partitions from the assignment (their prefetched records are dropped).</summary>
    /// <param name="partitions">The partitions.</param>
    /// <exception cref="ArgumentException">A partition is not assigned.</exception>
    void IncrementalUnassign(IEnumerable<TopicPartition> partitions);

    /// <summary>Removes every manually assigned partition.</summary>
    void Unassign();

    /// <summary>Returns the next record, waiting up to <paramref name="timeout"/>.</summary>
    /// <param name="timeout">The longest time to wait.</param>
    /// <returns>The record (or end-of-partition notice), or <see langword="null"/> when none arrived in time.</returns>
    /// <exception cref="ConsumeException">A partition's position is out of range and <c>auto.offset.reset</c> is <c>error</c>.</exception>
    /// <exception cref="InvalidOperationException">Nothing is assigned or subscribed.</exception>
    /// <exception cref="ObjectDisposedException">The consumer is disposed.</exception>
    ConsumeResult<TKey, TValue>? Consume(TimeSpan timeout);

    /// <summary>Returns the next record, waiting until one arrives.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The record (or end-of-partition notice).</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ConsumeException">A partition's position is out of range and <c>auto.offset.reset</c> is <c>error</c>.</exception>
    /// <exception cref="InvalidOperationException">Nothing is assigned or subscribed.</exception>
    /// <exception cref="ObjectDisposedException">The consumer is disposed.</exception>
    ConsumeResult<TKey, TValue> Consume(CancellationToken cancellationToken = default);

    /// <summary>Returns records as they arrive, forever, until <paramref name="cancellationToken"/> is cancelled (then
    /// the enumeration throws <see cref="OperationCanceledException"/>).</summary>
    /// <param name="cancellationToken">Ends the enumeration.</param>
    /// <returns>The records (and end-of-partition notices).</returns>
    IAsyncEnumerable<ConsumeResult<TKey, TValue>> ConsumeAsync(CancellationToken cancellationToken = default);

    /// <summary>Waits up to <paramref name="maxWait"/> for a record, then returns every record available at once, up to
    /// <c>max.poll.records</c>.</summary>
    /// <param name="maxWait">The longest time to wait for the first record.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The records; empty when none arrived in time.</returns>
    /// <exception cref="ConsumeException">A partition's position is out of range and <c>auto.offset.reset</c> is <c>error</c>.</exception>
    /// <exception cref="ObjectDisposedException">The consumer is disposed.</exception>
    ValueTask<IReadOnlyList<ConsumeResult<TKey, TValue>>> ConsumeBatchAsync(TimeSpan maxWait, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes the next record if one is already fetched, without waiting and without allocating beyond what the
    /// deserializers and headers create (the non-allocating counterpart of <see cref="Consume(TimeSpan)"/>; pair it with
    /// <see cref="WaitToConsumeAsync"/>, as with <c>ChannelReader.TryRead</c>/<c>WaitToReadAsync</c>).
    /// </summary>
    /// <param name="record">The record (or end-of-partition notice) when the method returns <see langword="true"/>.</param>
    /// <returns><see langword="true"/> if a record was taken.</returns>
    /// <exception cref="ConsumeException">A partition's position is out of range and <c>auto.offset.reset</c> is <c>error</c>.</exception>
    /// <exception cref="InvalidOperationException">Nothing is assigned or subscribed.</exception>
    /// <exception cref="ObjectDisposedException">The consumer is disposed.</exception>
    bool TryConsume(out ConsumedRecord<TKey, TValue> record);

    /// <summary>Waits until a record may be available to <see cref="TryConsume"/> (fetched data or a notice), up to <paramref name="timeout"/>.</summary>
    /// <param name="timeout">The longest time to wait (or <see cref="Timeout.InfiniteTimeSpan"/>).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="true"/> if something was fetched; <see langword="false"/> on timeout.</returns>
    /// <exception cref="ObjectDisposedException">The consumer is disposed.</exception>
    ValueTask<bool> WaitToConsumeAsync(TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Moves an assigned partition's position: the next record returned is at <paramref name="topicPartitionOffset"/>
    /// (or the log start/end for <see cref="Offset.Beginning"/>/<see cref="Offset.End"/>). Seeking exactly to the log end
    /// is allowed; an offset below the log start is reset per <c>auto.offset.reset</c> when fetched.</summary>
    /// <param name="topicPartitionOffset">The partition and the new position.</param>
    /// <exception cref="InvalidOperationException">The partition is not assigned.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The offset is negative (and not special) or beyond the log end.</exception>
    void Seek(TopicPartitionOffset topicPartitionOffset);

    /// <summary>Moves the positions of assigned partitions to their log start.</summary>
    /// <param name="partitions">The partitions.</param>
    /// <exception cref="InvalidOperationException">A partition is not assigned.</exception>
    void SeekToBeginning(IEnumerable<TopicPartition> partitions);

    /// <summary>Moves the positions of assigned partitions to their log end.</summary>
    /// <param name="partitions">The partitions.</param>
    /// <exception cref="InvalidOperationException">A partition is not assigned.</exception>
    void SeekToEnd(IEnumerable<TopicPartition> partitions);

    /// <summary>Returns the offset of the next record <see cref="Consume(TimeSpan)"/> will return for a partition, or
    /// <see cref="Offset.Unset"/> before its starting position is known.</summary>
    /// <param name="partition">An assigned partition.</param>
    /// <returns>The position.</returns>
    /// <exception cref="InvalidOperationException">The partition is not assigned.</exception>
    Offset Position(TopicPartition partition);

    /// <summary>Looks up, per partition, the earliest offset whose record's timestamp is at or after the given time
    /// (<see cref="Offset.End"/> when every record is older).</summary>
    /// <param name="timestampsToSearch">The partitions and times.</param>
    /// <param name="timeout">Accepted for Kafka compatibility; the lookup is local.</param>
    /// <returns>One offset per partition, in the given order.</returns>
    /// <exception cref="UnknownTopicOrPartitionException">A partition does not exist.</exception>
    IReadOnlyList<TopicPartitionOffset> OffsetsForTimes(IEnumerable<TopicPartitionTimestamp> timestampsToSearch, TimeSpan timeout);

    /// <summary>Returns the watermarks seen by the last fetch of an assigned partition (no lookup), or
    /// <see cref="Offset.Unset"/> values before the first fetch.</summary>
    /// <param name="topicPartition">The partition.</param>
    /// <returns>The log start offset and high watermark.</returns>
    WatermarkOffsets GetWatermarkOffsets(TopicPartition topicPartition);

    /// <summary>Returns a partition's current log start offset and high watermark.</summary>
    /// <param name="topicPartition">The partition.</param>
    /// <param name="timeout">Accepted for Kafka compatibility; the lookup is local.</param>
    /// <returns>The watermarks.</returns>
    /// <exception cref="UnknownTopicOrPartitionException">The partition does not exist.</exception>
    WatermarkOffsets QueryWatermarkOffsets(TopicPartition topicPartition, TimeSpan timeout);

    /// <summary>Stops returning records of assigned partitions (their positions are kept) until <see cref="Resume"/>.</summary>
    /// <param name="partitions">The partitions.</param>
    /// <exception cref="InvalidOperationException">A partition is not assigned.</exception>
    void Pause(IEnumerable<TopicPartition> partitions);

    /// <summary>Resumes paused partitions.</summary>
    /// <param name="partitions">The partitions.</param>
    /// <exception cref="InvalidOperationException">A partition is not assigned.</exception>
    void Resume(IEnumerable<TopicPartition> partitions);

    /// <summary>Stores the offset after <paramref name="result"/> to be committed by the next <see cref="Commit()"/> or auto-commit.</summary>
    /// <param name="result">A record returned by this consumer.</param>
    /// <exception cref="InvalidOperationException">The partition is not assigned.</exception>
    void StoreOffset(ConsumeResult<TKey, TValue> result);

    /// <summary>Stores an offset (the next one to consume) to be committed by the next <see cref="Commit()"/> or auto-commit.</summary>
    /// <param name="offset">The partition and the offset of the next record to consume.</param>
    /// <exception cref="InvalidOperationException">The partition is not assigned.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The offset is negative.</exception>
    void StoreOffset(TopicPartitionOffset offset);

    /// <summary>Commits the stored offsets of every assigned partition.</summary>
    /// <returns>The offsets committed.</returns>
    /// <exception cref="InvalidOperationException">No <c>group.id</c> is set.</exception>
    /// <exception cref="CommitFailedException">The group refused the commit (the consumer is no longer a member).</exception>
    IReadOnlyList<TopicPartitionOffset> Commit();

    /// <summary>Commits offsets (each the offset of the next record to consume) of assigned partitions.</summary>
    /// <param name="offsets">The offsets.</param>
    /// <exception cref="InvalidOperationException">No <c>group.id</c> is set, or a partition is not assigned.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An offset is negative or beyond the log end.</exception>
    /// <exception cref="CommitFailedException">The group refused the commit.</exception>
    void Commit(IEnumerable<TopicPartitionOffset> offsets);

    /// <summary>Commits the offset after <paramref name="result"/>.</summary>
    /// <param name="result">A record returned by this consumer.</param>
    /// <exception cref="InvalidOperationException">No <c>group.id</c> is set, or the partition is not assigned.</exception>
    /// <exception cref="CommitFailedException">The group refused the commit.</exception>
    void Commit(ConsumeResult<TKey, TValue> result);

    /// <summary>Commits the stored offsets of every assigned partition.</summary>
    /// <param name="cancellationToken">Stops waiting (the commit may still happen).</param>
    /// <returns>The offsets committed.</returns>
    /// <exception cref="InvalidOperationException">No <c>group.id</c> is set.</exception>
    /// <exception cref="CommitFailedException">The group refused the commit.</exception>
    ValueTask<IReadOnlyList<TopicPartitionOffset>> CommitAsync(CancellationToken cancellationToken = default);

    /// <summary>Commits offsets of assigned partitions.</summary>
    /// <param name="offsets">The offsets (each the next record to consume).</param>
    /// <param name="cancellationToken">Stops waiting (the commit may still happen).</param>
    /// <returns>A task that completes when the offsets are stored.</returns>
    /// <exception cref="InvalidOperationException">No <c>group.id</c> is set, or a partition is not assigned.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An offset is negative or beyond the log end.</exception>
    /// <exception cref="CommitFailedException">The group refused the commit.</exception>
    ValueTask CommitAsync(IEnumerable<TopicPartitionOffset> offsets, CancellationToken cancellationToken = default);

    /// <summary>Commits the offset after <paramref name="result"/>.</summary>
    /// <param name="result">A record returned by this consumer.</param>
    /// <param name="cancellationToken">Stops waiting (the commit may still happen).</param>
    /// <returns>A task that completes when the offset is stored.</returns>
    /// <exception cref="InvalidOperationException">No <c>group.id</c> is set, or the partition is not assigned.</exception>
    /// <exception cref="CommitFailedException">The group refused the commit.</exception>
    ValueTask CommitAsync(ConsumeResult<TKey, TValue> result, CancellationToken cancellationToken = default);

    /// <summary>Returns the group's committed offsets of partitions (<see cref="Offset.Unset"/> where none).</summary>
    /// <param name="partitions">The partitions.</param>
    /// <param name="timeout">Accepted for Kafka compatibility; the lookup is local.</param>
    /// <returns>One offset per partition, in the given order.</returns>
    /// <exception cref="InvalidOperationException">No <c>group.id</c> is set.</exception>
    IReadOnlyList<TopicPartitionOffset> Committed(IEnumerable<TopicPartition> partitions, TimeSpan timeout);

    /// <summary>Commits stored offsets if <c>enable.auto.commit</c>, leaves the group (bounded by <c>session.timeout.ms</c>) and
    /// stops fetching. The consumer cannot be used afterwards; disposing it does the same.</summary>
    void Close();
}

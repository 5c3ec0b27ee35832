using CommitLog.Storage;
using System.Runtime.InteropServices;

namespace CommitLog;

/// <content>Producing many records at once.</content>
internal sealed partial class Producer<TKey, TValue>
{
    public ValueTask<IReadOnlyList<DeliveryResult<TKey, TValue>>> ProduceBatchAsync(
        string topic, IEnumerable<Message<TKey, TValue>> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return ProduceBatchAsync(new TopicPartition(topic, Partition.Any), messages, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<DeliveryResult<TKey, TValue>>> ProduceBatchAsync(
        TopicPartition topicPartition, IEnumerable<Message<TKey, TValue>> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(topicPartition.Topic, nameof(topicPartition));
        Message<TKey, TValue>[] all = [.. messages];
        for (int i = 0; i < all.Length; i++)
        {
            if (all[i] is null)
            {
                throw new ArgumentException($"Message {i} of the batch is null; every message must be set.", nameof(messages));
            }
        }

        ThrowIfClosed();
        cancellationToken.ThrowIfCancellationRequested();

        // Queue in order, one at a time: a record waiting for buffer space holds back the ones after it, so the order
        // per partition is the order of the batch. The first record that cannot be queued stops the rest.
        var queued = new Queued[all.Length];
        int count = 0;
        Exception? stop = null;
        for (; count < all.Length; count++)
        {
            try
            {
                queued[count] = await QueueAsync(topicPartition, all[count], cancellationToken).ConfigureAwait(false);
            }
            catch when (count == 0)
            {
                throw; // nothing was queued: the batch as a whole failed (or was canceled), as a single produce would
            }
#pragma warning disable CA1031 // Reported per record in the ProduceBatchException (or rethrown when nothing was queued).
            catch (Exception e)
#pragma warning restore CA1031
            {
                stop = e;
                break;
            }
        }

        var results = new DeliveryResult<TKey, TValue>[all.Length];
        var reports = new DeliveryReport<TKey, TValue>[all.Length];
        bool failed = stop is not null;
        for (int i = 0; i < count; i++)
        {
            TopicPartition tp = queued[i].TopicPartition;
            try
            {
                DeliveryResult<TKey, TValue> result = await queued[i].Delivery.ConfigureAwait(false);
                results[i] = result;
                reports[i] = new DeliveryReport<TKey, TValue>(tp, result.Offset, result.Timestamp, result.Durability, all[i], null);
            }
#pragma warning disable CA1031 // Each record's failure is reported in the ProduceBatchException.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failed = true;
                reports[i] = new DeliveryReport<TKey, TValue>(tp, Offset.Unset, all[i].Timestamp, Durability.None, all[i], e);
            }
        }

        if (!failed)
        {
            return results;
        }

        if (stop is not null)
        {
            reports[count] = new DeliveryReport<TKey, TValue>(
                new TopicPartition(topicPartition.Topic, topicPartition.Partition), Offset.Unset, all[count].Timestamp, Durability.None, all[count], stop);
            var notSent = new InvalidOperationException(
                $"Not sent: record {count} of the batch could not be queued ({stop.GetType().Name}), so the records after it were not queued.");
            for (int i = count + 1; i < all.Length; i++)
            {
                reports[i] = new DeliveryReport<TKey, TValue>(topicPartition, Offset.Unset, all[i].Timestamp, Durability.None, all[i], notSent);
            }
        }

        cancellationToken.ThrowIfCancellationRequested(); // the caller gave up: a cancellation, not a delivery failure
        throw new ProduceBatchException<TKey, TValue>(reports);
    }

    /// <summary>A record queued: the partition it went to and its delivery.</summary>
    [StructLayout(LayoutKind.Auto)]
    private readonly record struct Queued(TopicPartition TopicPartition, ValueTask<DeliveryResult<TKey, TValue>> Delivery);
}

using System.Buffers.Binary;

namespace CommitLog.Storage;

/// <summary>
/// The idempotent-producer state of one partition (KIP-98, Kafka's ProducerStateManager): per producer id, the
/// current epoch and the last five batches. Decides whether an append is new, a retry (duplicate), out of sequence
/// or from a fenced epoch, and records appended batches.
/// </summary>
/// <remarks>
/// <para>Used only under the log's append lock. Memory: one fixed-size entry per producer id; the number of ids is
/// bounded by <see cref="LogOptions.ProducerIdExpiration"/> (ids idle longer are dropped when a snapshot is taken)
/// and by retention (ids whose last batch is below the log start are dropped).</para>
/// <para>A producer id the log does not know (never seen, expired, or removed with its data) may start at any
/// sequence, as in Kafka; so a retry that arrives after its producer id expired is appended again.</para>
/// </remarks>
internal sealed class ProducerState
{
    private readonly Dictionary<long, ProducerStateEntry> _producers = [];

    /// <summary>Gets the number of producer ids with state.</summary>
    public int Count => _producers.Count;

    /// <summary>Gets every entry (no order).</summary>
    public IEnumerable<ProducerStateEntry> Entries => _producers.Values;

    /// <summary>The sequence of the last record of a batch, wrapping from <see cref="int.MaxValue"/> to 0 as Kafka does.</summary>
    public static int LastSequence(int baseSequence, int lastOffsetDelta)
        => baseSequence > int.MaxValue - lastOffsetDelta ? lastOffsetDelta - (int.MaxValue - baseSequence) - 1 : baseSequence + lastOffsetDelta;

    /// <summary>The sequence that must follow <paramref name="lastSequence"/>.</summary>
    public static int NextSequence(int lastSequence) => lastSequence == int.MaxValue ? 0 : lastSequence + 1;

    public ProducerStateEntry? Find(long producerId) => _producers.GetValueOrDefault(producerId);

    /// <summary>
    /// Checks every idempotent batch of an append against the state (and against earlier batches of the same
    /// producer id in the same append). Returns true, with the original batch, if the append is a retry of a
    /// remembered batch. Throws if any batch is fenced or out of sequence; nothing is changed either way.
    /// </summary>
    /// <exception cref="ProducerFencedException">A batch carries an epoch older than the producer id's current one.</exception>
    /// <exception cref="OutOfOrderSequenceException">A batch's sequence does not follow the last one.</exception>
    /// <exception cref="DuplicateSequenceException">A retried batch was sent together with other batches.</exception>
    /// <exception cref="CorruptRecordException">A batch has a producer id but a negative epoch or sequence.</exception>
    public bool CheckAppend(ReadOnlySpan<byte> data, string directory, out ProducerStateBatch duplicate)
    {
        duplicate = default;
        var position = 0;
        while (position < data.Length)
        {
            var batch = data[position..];
            var size = RecordBatchHeader.ReadTotalSize(batch);
            if (TryReadProducer(batch, out var producerId, out var epoch, out var first, out var last))
            {
                if (epoch < 0 || first < 0)
                {
                    throw new CorruptRecordException(
                        $"The batch at byte {position} of the appended buffer has producer id {producerId} but producer epoch {epoch} and base sequence {first}; " +
                        "an idempotent batch needs an epoch and a sequence of at least 0 (or producer id -1 for a non-idempotent batch). Nothing was appended.")
                        { LogDirectory = directory };
                }

                if (TryFindEarlier(data, position, producerId, out var earlierEpoch, out var earlierLast))
                {
                    Validate(producerId, earlierEpoch, earlierLast, epoch, first, directory);
                }
                else if (_producers.TryGetValue(producerId, out var entry))
                {
                    if (entry.TryFindDuplicate(epoch, first, last, out duplicate))
                    {
                        if (position != 0 || size != data.Length)
                        {
                            throw new DuplicateSequenceException(producerId, epoch, first, last, duplicate.FirstOffset) { LogDirectory = directory };
                        }

                        return true;
                    }

                    Validate(producerId, entry.Epoch, entry.Last.LastSequence, epoch, first, directory);
                }
            }

            position += size;
        }

        return false;
    }

    /// <summary>Records the idempotent batches of an append that was written (offsets assigned). Never throws for valid batches.</summary>
    public void Apply(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var size = RecordBatchHeader.ReadTotalSize(data);
            ApplyBatch(data[..size]);
            data = data[size..];
        }
    }

    /// <summary>Records one batch as stored in the log (used by appends and by replay); batches without a producer id are ignored.</summary>
    public void ApplyBatch(ReadOnlySpan<byte> batch)
    {
        if (!TryReadProducer(batch, out var producerId, out var epoch, out var first, out var last) || epoch < 0 || first < 0)
        {
            return;
        }

        if (!_producers.TryGetValue(producerId, out var entry))
        {
            entry = new ProducerStateEntry(producerId, epoch);
            _producers.Add(producerId, entry);
        }

        entry.Add(epoch, new ProducerStateBatch(first, last, BatchFraming.BaseOffset(batch), BatchFraming.LastOffset(batch), BatchFraming.MaxTimestamp(batch)));
    }

    /// <summary>Adds an entry read from a snapshot.</summary>
    public void Restore(ProducerStateEntry entry) => _producers[entry.ProducerId] = entry;

    public void Clear() => _producers.Clear();

    /// <summary>Drops producer ids whose last batch's timestamp is <paramref name="expirationMs"/> or more before <paramref name="nowMs"/>.</summary>
    public int RemoveExpired(long nowMs, long expirationMs) => RemoveWhere(e => nowMs - e.Last.Timestamp >= expirationMs);

    /// <summary>
    /// Forgets batches that lie wholly below <paramref name="logStartOffset"/> (removed by retention or
    /// DeleteRecordsBefore), and producer ids left with none. Applied both when the log start moves and after a
    /// rebuild, so a rebuilt state equals the live one.
    /// </summary>
    public int RemoveBelow(long logStartOffset)
    {
        foreach (var entry in _producers.Values)
        {
            entry.TrimBelow(logStartOffset);
        }

        return RemoveWhere(e => e.Count == 0);
    }

    private int RemoveWhere(Func<ProducerStateEntry, bool> predicate)
    {
        List<long>? doomed = null;
        foreach (var entry in _producers.Values)
        {
            if (predicate(entry))
            {
                (doomed ??= []).Add(entry.ProducerId);
            }
        }

        foreach (var id in doomed ?? [])
        {
            _producers.Remove(id);
        }

        return doomed?.Count ?? 0;
    }

    /// <summary>Reads the producer fields of an idempotent data batch; false for producer id -1 and for control batches.</summary>
    private static bool TryReadProducer(ReadOnlySpan<byte> batch, out long producerId, out short epoch, out int firstSequence, out int lastSequence)
    {
        producerId = BinaryPrimitives.ReadInt64BigEndian(batch[RecordBatchHeader.ProducerIdOffset..]);
        var attributes = BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..]);
        if (producerId < 0 || (attributes & RecordBatchHeader.ControlFlag) != 0)
        {
            epoch = -1;
            firstSequence = lastSequence = -1;
            return false;
        }

        epoch = BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchHeader.ProducerEpochOffset..]);
        firstSequence = BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchHeader.BaseSequenceOffset..]);
        lastSequence = firstSequence < 0 ? firstSequence : LastSequence(firstSequence, BatchFraming.LastOffsetDelta(batch));
        return true;
    }

    /// <summary>Finds the last batch of <paramref name="producerId"/> before <paramref name="end"/> in the same append.</summary>
    private static bool TryFindEarlier(ReadOnlySpan<byte> data, int end, long producerId, out short epoch, out int lastSequence)
    {
        epoch = -1;
        lastSequence = -1;
        var found = false;
        var position = 0;
        while (position < end)
        {
            var batch = data[position..];
            if (TryReadProducer(batch, out var id, out var e, out _, out var last) && id == producerId)
            {
                (epoch, lastSequence, found) = (e, last, true);
            }

            position += RecordBatchHeader.ReadTotalSize(batch);
        }

        return found;
    }

    private static void Validate(long producerId, short currentEpoch, int lastSequence, short epoch, int firstSequence, string directory)
    {
        if (epoch < currentEpoch)
        {
            throw new ProducerFencedException(producerId, epoch, currentEpoch) { LogDirectory = directory };
        }

        if (epoch > currentEpoch)
        {
            if (firstSequence != 0)
            {
                throw new OutOfOrderSequenceException(producerId, epoch, 0, firstSequence,
                    $"epoch {epoch} is newer than the current epoch {currentEpoch}, and a new epoch starts at sequence 0") { LogDirectory = directory };
            }
        }
        else if (firstSequence != NextSequence(lastSequence))
        {
            throw new OutOfOrderSequenceException(producerId, epoch, NextSequence(lastSequence), firstSequence,
                $"the last appended batch of this producer ended at sequence {lastSequence}") { LogDirectory = directory };
        }
    }
}

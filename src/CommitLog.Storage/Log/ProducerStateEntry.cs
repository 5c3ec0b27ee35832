namespace CommitLog.Storage;

/// <summary>
/// The state of one producer id on one partition: its current epoch and the last <see cref="MaxBatches"/> batches it
/// appended in that epoch (Kafka's ProducerStateEntry). Fixed size: memory per producer id does not grow.
/// </summary>
internal sealed class ProducerStateEntry
{
    /// <summary>How many batches are remembered (Kafka's limit of 5 in-flight requests per idempotent producer).</summary>
    public const int MaxBatches = 5;

    private readonly ProducerStateBatch[] _batches = new ProducerStateBatch[MaxBatches];
    private int _count;
    private int _next;

    public ProducerStateEntry(long producerId, short epoch)
    {
        ProducerId = producerId;
        Epoch = epoch;
    }

    public long ProducerId { get; }

    /// <summary>Gets the producer epoch of the remembered batches.</summary>
    public short Epoch { get; private set; }

    /// <summary>Gets the number of remembered batches (1 to <see cref="MaxBatches"/> once the entry is in use).</summary>
    public int Count => _count;

    /// <summary>Gets the newest batch; only valid when <see cref="Count"/> is positive.</summary>
    public ProducerStateBatch Last => _batches[(_next + MaxBatches - 1) % MaxBatches];

    /// <summary>Gets the remembered batch at <paramref name="index"/>, oldest first.</summary>
    public ProducerStateBatch this[int index] => _batches[(_next - _count + index + (2 * MaxBatches)) % MaxBatches];

    /// <summary>Finds a remembered batch of <paramref name="epoch"/> with exactly this sequence range (a retry).</summary>
    public bool TryFindDuplicate(short epoch, int firstSequence, int lastSequence, out ProducerStateBatch batch)
    {
        if (epoch == Epoch)
        {
            for (var i = 0; i < _count; i++)
            {
                var candidate = this[i];
                if (candidate.FirstSequence == firstSequence && candidate.LastSequence == lastSequence)
                {
                    batch = candidate;
                    return true;
                }
            }
        }

        batch = default;
        return false;
    }

    /// <summary>Forgets the remembered batches that end below <paramref name="logStartOffset"/> (their records were deleted).</summary>
    public void TrimBelow(long logStartOffset)
    {
        while (_count > 0 && this[0].LastOffset < logStartOffset)
        {
            _count--;
        }
    }

    /// <summary>Records an appended batch; a different epoch forgets the batches of the old one.</summary>
    public void Add(short epoch, ProducerStateBatch batch)
    {
        if (epoch != Epoch)
        {
            Epoch = epoch;
            _count = 0;
        }

        _batches[_next] = batch;
        _next = (_next + 1) % MaxBatches;
        _count = Math.Min(_count + 1, MaxBatches);
    }
}

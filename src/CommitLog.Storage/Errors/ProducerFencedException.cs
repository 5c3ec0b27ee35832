namespace CommitLog.Storage;

/// <summary>
/// An idempotent batch carries a producer epoch older than the newest one the log has seen for its producer id:
/// a newer instance of the producer took over (Kafka INVALID_PRODUCER_EPOCH, code 47; Kafka's transactional
/// PRODUCER_FENCED, code 90, is the same condition). Nothing was appended. The old instance must stop producing.
/// </summary>
public sealed class ProducerFencedException : CommitLogException
{
    internal ProducerFencedException(long producerId, short producerEpoch, short currentEpoch)
        : base(ErrorCode.InvalidProducerEpoch,
            $"Producer id {producerId} sent a batch with epoch {producerEpoch}, but the log has already seen epoch {currentEpoch} for it: " +
            "this producer instance was fenced by a newer one. Nothing was appended; stop this instance.")
    {
        ProducerId = producerId;
        ProducerEpoch = producerEpoch;
        CurrentEpoch = currentEpoch;
    }

    /// <summary>Gets the producer id of the rejected batch.</summary>
    public long ProducerId { get; }

    /// <summary>Gets the (old) epoch the rejected batch carried.</summary>
    public short ProducerEpoch { get; }

    /// <summary>Gets the newest epoch the log has seen for the producer id.</summary>
    public short CurrentEpoch { get; }
}

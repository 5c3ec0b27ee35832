namespace CommitLog.Storage;

/// <summary>
/// An append of several batches contains a retry of a batch the log already holds (Kafka DUPLICATE_SEQUENCE_NUMBER).
/// A retry is acknowledged with its original offsets only when it is appended alone, as Kafka producers send one
/// batch per partition per request. Nothing was appended; append the batches one at a time.
/// </summary>
public sealed class DuplicateSequenceException : CommitLogException
{
    internal DuplicateSequenceException(long producerId, short producerEpoch, int firstSequence, int lastSequence, long originalOffset)
        : base(ErrorCode.DuplicateSequenceNumber,
            $"The append holds a retry of producer id {producerId} (epoch {producerEpoch}) sequences {firstSequence} to {lastSequence}, already appended at offset {originalOffset}, " +
            "together with other batches. Nothing was appended; append a retried batch on its own to get its original offsets back.")
    {
        ProducerId = producerId;
        ProducerEpoch = producerEpoch;
        OriginalOffset = originalOffset;
    }

    /// <summary>Gets the producer id of the retried batch.</summary>
    public long ProducerId { get; }

    /// <summary>Gets the producer epoch of the retried batch.</summary>
    public short ProducerEpoch { get; }

    /// <summary>Gets the offset at which the retried batch was first appended.</summary>
    public long OriginalOffset { get; }
}

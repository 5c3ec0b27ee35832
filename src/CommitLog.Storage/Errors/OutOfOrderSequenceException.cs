namespace CommitLog.Storage;

/// <summary>
/// An idempotent batch's base sequence does not follow the last batch the log appended for its producer id and
/// epoch, and it is not a retry of one of the last five batches (Kafka OUT_OF_ORDER_SEQUENCE_NUMBER). A gap means
/// batches were lost in between; a sequence that is too low means a retry of a batch older than the last five.
/// Nothing was appended.
/// </summary>
public sealed class OutOfOrderSequenceException : CommitLogException
{
    internal OutOfOrderSequenceException(long producerId, short producerEpoch, int expectedSequence, int receivedSequence, string reason)
        : base(ErrorCode.OutOfOrderSequenceNumber,
            $"Producer id {producerId} (epoch {producerEpoch}) sent a batch with base sequence {receivedSequence}, but the log expected {expectedSequence}: {reason}. " +
            "Nothing was appended; a batch is accepted only in sequence, and only a retry of one of the last 5 batches is acknowledged again.")
    {
        ProducerId = producerId;
        ProducerEpoch = producerEpoch;
        ExpectedSequence = expectedSequence;
        ReceivedSequence = receivedSequence;
    }

    /// <summary>Gets the producer id of the rejected batch.</summary>
    public long ProducerId { get; }

    /// <summary>Gets the producer epoch of the rejected batch.</summary>
    public short ProducerEpoch { get; }

    /// <summary>Gets the base sequence the log would have accepted.</summary>
    public int ExpectedSequence { get; }

    /// <summary>Gets the base sequence the rejected batch carried.</summary>
    public int ReceivedSequence { get; }
}

namespace CommitLog.Storage;

/// <summary>
/// A record breaks a rule of the log it was offered to (Kafka's <c>INVALID_RECORD</c>), for example a record without
/// a key offered to a compacted log. Nothing of the append was written.
/// </summary>
public sealed class InvalidRecordException : CommitLogException
{
    internal InvalidRecordException(string message)
        : base(ErrorCode.InvalidRecord, message)
    {
    }
}

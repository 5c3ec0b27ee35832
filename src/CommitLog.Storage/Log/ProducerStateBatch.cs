namespace CommitLog.Storage;

/// <summary>
/// What the log remembers of one appended idempotent batch: its sequence range, where it landed and its max
/// timestamp. A retry with the same sequence range is answered from this without appending.
/// </summary>
/// <param name="FirstSequence">The batch's base sequence.</param>
/// <param name="LastSequence">The sequence of its last record (wraps from <see cref="int.MaxValue"/> to 0).</param>
/// <param name="FirstOffset">The offset assigned to its first record.</param>
/// <param name="LastOffset">The offset assigned to its last record.</param>
/// <param name="Timestamp">Its max timestamp as stored (the append time under LogAppendTime).</param>
internal readonly record struct ProducerStateBatch(int FirstSequence, int LastSequence, long FirstOffset, long LastOffset, long Timestamp);

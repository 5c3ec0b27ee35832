namespace CommitLog.Storage;

/// <summary>The outcome of a successful append.</summary>
/// <param name="FirstOffset">The offset assigned to the first record.</param>
/// <param name="LastOffset">The offset assigned to the last record.</param>
/// <param name="LogAppendTime">The append time in Unix milliseconds when the log uses LogAppendTime, otherwise -1.</param>
/// <param name="Durability">The durability level the records reached before the append completed.</param>
public readonly record struct AppendResult(long FirstOffset, long LastOffset, long LogAppendTime, Durability Durability);

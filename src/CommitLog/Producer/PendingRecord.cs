using System.Runtime.InteropServices;

namespace CommitLog;

/// <summary>A record in a batch, waiting for its outcome: whom to tell, and the timestamp it was written with.</summary>
[StructLayout(LayoutKind.Auto)]
internal readonly record struct PendingRecord<TKey, TValue>(
    Message<TKey, TValue> Message,
    long TimestampMs,
    Action<DeliveryReport<TKey, TValue>>? Handler,
    DeliveryCompletion<TKey, TValue>? Completion,
    bool Reported);

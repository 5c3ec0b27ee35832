using System.Buffers;
using System.Runtime.InteropServices;
using CommitLog.Storage;

namespace CommitLog;

/// <summary>A serialized record on its way into a batch. Key and value point into per-thread buffers until
/// <see cref="Detach"/> copies them (needed before an await).</summary>
[StructLayout(LayoutKind.Auto)]
internal readonly struct Serialized(
    ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, RecordHeader[]? headers, int headerCount, int bytes, long timestampMs, bool pooled = true)
{
    public ReadOnlyMemory<byte>? Key { get; } = key;

    public ReadOnlyMemory<byte>? Value { get; } = value;

    public ReadOnlySpan<RecordHeader> HeaderSpan => headers.AsSpan(0, headerCount);

    /// <summary>Gets the bytes the record holds of <c>buffer.memory</c>.</summary>
    public int Bytes { get; } = bytes;

    public long TimestampMs { get; } = timestampMs;

    /// <summary>Returns a copy that owns its bytes.</summary>
    public Serialized Detach() => new(
        Key is { } k ? k.ToArray() : null,
        Value is { } v ? v.ToArray() : null,
        headers is null ? null : HeaderSpan.ToArray(),
        headerCount,
        Bytes,
        TimestampMs,
        pooled: false);

    /// <summary>Returns the rented header array to the pool (a detached copy owns nothing pooled).</summary>
    public void ReturnHeaders()
    {
        if (pooled && headers is not null)
        {
            ArrayPool<RecordHeader>.Shared.Return(headers, clearArray: true);
        }
    }
}

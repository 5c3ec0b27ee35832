using System.Buffers;

namespace CommitLog;

/// <summary>Turns a key or value into bytes, written straight into the record being built.</summary>
/// <typeparam name="T">The type serialized.</typeparam>
/// <remarks>
/// The producer never calls a serializer with a <see langword="null"/> reference: it stores a null key or value
/// (a tombstone) instead. Implementations must be thread-safe: one instance serves every send of a producer.
/// </remarks>
public interface ISerializer<in T>
{
    /// <summary>Writes the bytes of <paramref name="value"/> to <paramref name="output"/>.</summary>
    /// <param name="value">The value; never <see langword="null"/>.</param>
    /// <param name="output">Where the bytes go; write only, do not keep it after the call.</param>
    /// <param name="context">The topic, the component (key or value) and the record's headers.</param>
    void Serialize(T value, IBufferWriter<byte> output, SerializationContext context);
}

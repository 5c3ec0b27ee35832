using System.Buffers;

namespace CommitLog;

/// <summary>Turns the bytes of a consumed key or value back into an object.</summary>
/// <typeparam name="T">The type produced.</typeparam>
/// <remarks>Implementations must be thread-safe. The data passed in is valid only during the call: copy what you keep.</remarks>
public interface IDeserializer<out T>
{
    /// <summary>Reads a key or value.</summary>
    /// <param name="data">The bytes, which may span several buffers; empty when <paramref name="isNull"/> is true.</param>
    /// <param name="isNull"><see langword="true"/> when the record's key or value is null (not merely empty).</param>
    /// <param name="context">The topic, the component (key or value) and the record's headers.</param>
    /// <returns>The object.</returns>
    /// <exception cref="InvalidDataException">The bytes are not a valid encoding of <typeparamref name="T"/>.</exception>
    T Deserialize(ReadOnlySequence<byte> data, bool isNull, SerializationContext context);
}

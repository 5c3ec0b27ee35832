using System.Buffers;

namespace CommitLog;

/// <summary>Skips a key or value without reading it.</summary>
internal sealed class IgnoreDeserializer : IDeserializer<Ignore?>
{
    public Ignore? Deserialize(ReadOnlySequence<byte> data, bool isNull, SerializationContext context) => null;
}

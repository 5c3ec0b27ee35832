using System.Buffers;

namespace CommitLog;

/// <summary>Raw bytes, unchanged.</summary>
internal sealed class ByteArraySerde : ISerializer<byte[]>, ISerializer<ReadOnlyMemory<byte>>, IDeserializer<byte[]?>
{
    public void Serialize(byte[] value, IBufferWriter<byte> output, SerializationContext context)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(output);
        output.Write(value);
    }

    public void Serialize(ReadOnlyMemory<byte> value, IBufferWriter<byte> output, SerializationContext context)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(value.Span);
    }

    public byte[]? Deserialize(ReadOnlySequence<byte> data, bool isNull, SerializationContext context) =>
        isNull ? null : data.ToArray();
}

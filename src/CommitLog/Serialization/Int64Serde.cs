using System.Buffers;
using System.Buffers.Binary;

namespace CommitLog;

/// <summary>8-byte big-endian integers, as Kafka's <c>LongSerializer</c>.</summary>
internal sealed class Int64Serde : ISerializer<long>, IDeserializer<long>
{
    private const int Size = sizeof(long);

    public void Serialize(long value, IBufferWriter<byte> output, SerializationContext context)
    {
        ArgumentNullException.ThrowIfNull(output);
        BinaryPrimitives.WriteInt64BigEndian(output.GetSpan(Size), value);
        output.Advance(Size);
    }

    public long Deserialize(ReadOnlySequence<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull || data.Length != Size)
        {
            throw new InvalidDataException(ExceptionMessages.WrongLength("Int64", Size, context, isNull ? null : data.Length));
        }

        if (data.FirstSpan.Length >= Size)
        {
            return BinaryPrimitives.ReadInt64BigEndian(data.FirstSpan);
        }

        Span<byte> bytes = stackalloc byte[Size];
        data.CopyTo(bytes);
        return BinaryPrimitives.ReadInt64BigEndian(bytes);
    }
}

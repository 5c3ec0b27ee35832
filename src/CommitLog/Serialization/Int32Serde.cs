using System.Buffers;
using System.Buffers.Binary;

namespace CommitLog;

/// <summary>4-byte big-endian integers, as Kafka's <c>IntegerSerializer</c>.</summary>
internal sealed class Int32Serde : ISerializer<int>, IDeserializer<int>
{
    private const int Size = sizeof(int);

    public void Serialize(int value, IBufferWriter<byte> output, SerializationContext context)
    {
        ArgumentNullException.ThrowIfNull(output);
        BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(Size), value);
        output.Advance(Size);
    }

    public int Deserialize(ReadOnlySequence<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull || data.Length != Size)
        {
            throw new InvalidDataException(ExceptionMessages.WrongLength("Int32", Size, context, isNull ? null : data.Length));
        }

        if (data.FirstSpan.Length >= Size)
        {
            return BinaryPrimitives.ReadInt32BigEndian(data.FirstSpan);
        }

        Span<byte> bytes = stackalloc byte[Size];
        data.CopyTo(bytes);
        return BinaryPrimitives.ReadInt32BigEndian(bytes);
    }
}

using System.Buffers;

namespace CommitLog;

/// <summary>Keys or values that are always null.</summary>
internal sealed class NullSerde : ISerializer<Null>, IDeserializer<Null?>
{
    // Null has no instances, so the producer (which skips null references) never calls this.
    public void Serialize(Null value, IBufferWriter<byte> output, SerializationContext context) =>
        throw new InvalidOperationException(ExceptionMessages.NullSerializerCalled(context));

    public Null? Deserialize(ReadOnlySequence<byte> data, bool isNull, SerializationContext context) =>
        isNull ? null : throw new InvalidDataException(ExceptionMessages.NotNull(context, data.Length));
}

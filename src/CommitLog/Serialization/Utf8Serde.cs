using System.Buffers;
using System.Text;

namespace CommitLog;

/// <summary>UTF-8 strings. Invalid UTF-8 on read becomes U+FFFD, as in Kafka's <c>StringDeserializer</c>.</summary>
internal sealed class Utf8Serde : ISerializer<string>, IDeserializer<string?>
{
    public void Serialize(string value, IBufferWriter<byte> output, SerializationContext context)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(output);
        Encoding.UTF8.GetBytes(value.AsSpan(), output);
    }

    public string? Deserialize(ReadOnlySequence<byte> data, bool isNull, SerializationContext context) =>
        isNull ? null : Encoding.UTF8.GetString(data);
}

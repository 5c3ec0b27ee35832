using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CommitLog;

/// <summary>UTF-8 JSON through System.Text.Json, written straight into the record and read from the sequence without copying.</summary>
/// <typeparam name="T">The type serialized.</typeparam>
internal sealed class JsonSerde<T> : ISerializer<T>, IDeserializer<T?>
{
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly JsonWriterOptions _writerOptions;
    private readonly JsonReaderOptions _readerOptions;

    public JsonSerde(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        _typeInfo = typeInfo;
        JsonSerializerOptions o = typeInfo.Options;
        // The writer normalizes its options (e.g. MaxDepth 0 becomes the default depth); keep its copy so the
        // per-thread cache can compare them.
        using (var probe = new Utf8JsonWriter(Stream.Null, new JsonWriterOptions { Encoder = o.Encoder, Indented = o.WriteIndented,
            MaxDepth = o.MaxDepth }))
        {
            _writerOptions = probe.Options;
        }

        _readerOptions = new JsonReaderOptions
        {
            AllowTrailingCommas = o.AllowTrailingCommas,
            CommentHandling = o.ReadCommentHandling,
            MaxDepth = o.MaxDepth,
        };
    }

    public void Serialize(T value, IBufferWriter<byte> output, SerializationContext context)
    {
        ArgumentNullException.ThrowIfNull(output);
        Utf8JsonWriter writer = JsonWriterCache.Rent(output, _writerOptions);
        JsonSerializer.Serialize(writer, value, _typeInfo);
        JsonWriterCache.Return(writer);
    }

    public T? Deserialize(ReadOnlySequence<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull)
        {
            return default;
        }

        try
        {
            var reader = new Utf8JsonReader(data, _readerOptions);
            return JsonSerializer.Deserialize(ref reader, _typeInfo);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException(ExceptionMessages.InvalidJson(typeof(T), context, data.Length, ex.Message), ex);
        }
    }
}

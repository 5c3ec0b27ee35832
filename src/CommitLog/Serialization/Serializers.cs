using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CommitLog;

/// <summary>
/// The built-in serializers. Integers are big-endian, as Kafka's <c>IntegerSerializer</c> and
/// <c>LongSerializer</c> write them, so Java and librdkafka consumers read the same numbers.
/// </summary>
public static class Serializers
{
    /// <summary>Gets the UTF-8 string serializer (Kafka's <c>StringSerializer</c>).</summary>
    public static ISerializer<string> Utf8 { get; } = new Utf8Serde();

    /// <summary>Gets the serializer for keys or values that are always null.</summary>
    public static ISerializer<Null> Null { get; } = new NullSerde();

    /// <summary>Gets the serializer that writes a byte array unchanged.</summary>
    public static ISerializer<byte[]> ByteArray { get; } = new ByteArraySerde();

    /// <summary>Gets the serializer that writes a memory block unchanged.</summary>
    public static ISerializer<ReadOnlyMemory<byte>> Memory { get; } = new ByteArraySerde();

    /// <summary>Gets the 4-byte big-endian <see cref="int"/> serializer (Kafka's <c>IntegerSerializer</c>).</summary>
    public static ISerializer<int> Int32 { get; } = new Int32Serde();

    /// <summary>Gets the 8-byte big-endian <see cref="long"/> serializer (Kafka's <c>LongSerializer</c>).</summary>
    public static ISerializer<long> Int64 { get; } = new Int64Serde();

    /// <summary>Creates a UTF-8 JSON serializer from source-generated metadata (trimming- and AOT-safe).</summary>
    /// <typeparam name="T">The type serialized.</typeparam>
    /// <param name="typeInfo">The metadata, e.g. <c>MyJsonContext.Default.Order</c>.</param>
    /// <returns>The serializer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="typeInfo"/> is <see langword="null"/>.</exception>
    public static ISerializer<T> Json<T>(JsonTypeInfo<T> typeInfo) => new JsonSerde<T>(typeInfo);

    /// <summary>Creates a UTF-8 JSON serializer that uses reflection.</summary>
    /// <typeparam name="T">The type serialized.</typeparam>
    /// <param name="options">The JSON options; default <see cref="JsonSerializerOptions.Default"/>.</param>
    /// <returns>The serializer.</returns>
    [RequiresUnreferencedCode(JsonSerde.ReflectionWarning)]
    [RequiresDynamicCode(JsonSerde.ReflectionWarning)]
    public static ISerializer<T> Json<T>(JsonSerializerOptions? options = null) => new JsonSerde<T>(JsonSerde.TypeInfo<T>(options));
}

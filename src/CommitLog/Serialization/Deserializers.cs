using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CommitLog;

/// <summary>The built-in deserializers, the counterparts of <see cref="Serializers"/>.</summary>
public static class Deserializers
{
    /// <summary>Gets the UTF-8 string deserializer; a null key or value gives <see langword="null"/>.</summary>
    public static IDeserializer<string?> Utf8 { get; } = new Utf8Serde();

    /// <summary>Gets the deserializer for keys or values that must be null; anything else is an error.</summary>
    public static IDeserializer<Null?> Null { get; } = new NullSerde();

    /// <summary>Gets the deserializer that skips the data and returns <see langword="null"/>.</summary>
    public static IDeserializer<Ignore?> Ignore { get; } = new IgnoreDeserializer();

    /// <summary>Gets the deserializer that copies the bytes into a new array; a null key or value gives <see langword="null"/>.</summary>
    public static IDeserializer<byte[]?> ByteArray { get; } = new ByteArraySerde();

    /// <summary>Gets the 4-byte big-endian <see cref="int"/> deserializer; anything but 4 bytes is an error.</summary>
    public static IDeserializer<int> Int32 { get; } = new Int32Serde();

    /// <summary>Gets the 8-byte big-endian <see cref="long"/> deserializer; anything but 8 bytes is an error.</summary>
    public static IDeserializer<long> Int64 { get; } = new Int64Serde();

    /// <summary>Creates a UTF-8 JSON deserializer from source-generated metadata (trimming- and AOT-safe).</summary>
    /// <typeparam name="T">The type produced; a null key or value gives <see langword="default"/>.</typeparam>
    /// <param name="typeInfo">The metadata, e.g. <c>MyJsonContext.Default.Order</c>.</param>
    /// <returns>The deserializer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="typeInfo"/> is <see langword="null"/>.</exception>
    public static IDeserializer<T?> Json<T>(JsonTypeInfo<T> typeInfo) => new JsonSerde<T>(typeInfo);

    /// <summary>Creates a UTF-8 JSON deserializer that uses reflection.</summary>
    /// <typeparam name="T">The type produced; a null key or value gives <see langword="default"/>.</typeparam>
    /// <param name="options">The JSON options; default <see cref="JsonSerializerOptions.Default"/>.</param>
    /// <returns>The deserializer.</returns>
    [RequiresUnreferencedCode(JsonSerde.ReflectionWarning)]
    [RequiresDynamicCode(JsonSerde.ReflectionWarning)]
    public static IDeserializer<T?> Json<T>(JsonSerializerOptions? options = null) => new JsonSerde<T>(JsonSerde.TypeInfo<T>(options));
}

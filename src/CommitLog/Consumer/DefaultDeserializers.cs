namespace CommitLog;

/// <summary>The deserializers a consumer uses when none is set: UTF-8 strings, bytes, big-endian integers, Null, Ignore.</summary>
internal static class DefaultDeserializers
{
    public static IDeserializer<T> Get<T>(string component, string setter)
    {
        object? deserializer =
            typeof(T) == typeof(string) ? Deserializers.Utf8
            : typeof(T) == typeof(byte[]) ? Deserializers.ByteArray
            : typeof(T) == typeof(int) ? Deserializers.Int32
            : typeof(T) == typeof(long) ? Deserializers.Int64
            : typeof(T) == typeof(Null) ? Deserializers.Null
            : typeof(T) == typeof(Ignore) ? Deserializers.Ignore
            : null;
        return deserializer as IDeserializer<T> ?? throw new InvalidOperationException(
            $"There is no default {component} deserializer for type {typeof(T).FullName}; call {setter} (for example with " +
            "Deserializers.Json<T>()). Types with a default deserializer: string, byte[], int, long, Null and Ignore.");
    }
}

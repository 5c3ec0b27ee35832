namespace CommitLog;

/// <summary>The serializers a producer uses when none is set: UTF-8 strings, bytes, big-endian integers, Null.</summary>
internal static class DefaultSerializers
{
    public static ISerializer<T> Get<T>(string component, string setter)
    {
        object? serializer =
            typeof(T) == typeof(string) ? Serializers.Utf8
            : typeof(T) == typeof(byte[]) ? Serializers.ByteArray
            : typeof(T) == typeof(ReadOnlyMemory<byte>) ? Serializers.Memory
            : typeof(T) == typeof(int) ? Serializers.Int32
            : typeof(T) == typeof(long) ? Serializers.Int64
            : typeof(T) == typeof(Null) ? Serializers.Null
            : null;
        return serializer as ISerializer<T> ?? throw new InvalidOperationException(
            $"There is no default {component} serializer for type {typeof(T).FullName}; call {setter} (for example with " +
            "Serializers.Json<T>()). Types with a default serializer: string, byte[], ReadOnlyMemory<byte>, int, long and Null.");
    }
}

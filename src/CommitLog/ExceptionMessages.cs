using System.Globalization;

namespace CommitLog;

/// <summary>The texts of the exceptions this assembly throws, kept in one place.</summary>
internal static class ExceptionMessages
{
    public static string WrongLength(string name, int expected, SerializationContext context, long? actual) =>
        actual is { } length
            ? $"Deserializers.{name} expects exactly {expected} bytes (big-endian) but the {Describe(context)} has {length} byte(s)."
            : $"Deserializers.{name} expects exactly {expected} bytes (big-endian) but the {Describe(context)} is null.";

    public static string NotNull(SerializationContext context, long length) =>
        $"Deserializers.Null only accepts null data, but the {Describe(context)} has {length} byte(s); use a deserializer for its type.";

    public static string NullSerializerCalled(SerializationContext context) =>
        $"Serializers.Null cannot write a non-null {Describe(context)}.";

    public static string InvalidJson(Type type, SerializationContext context, long length, string detail) =>
        $"The {Describe(context)} ({length} bytes) is not valid JSON for {type.Name}: {detail}";

    public static string PartitionOutOfRange(string topic, int partition, int partitionCount) =>
        string.Create(CultureInfo.InvariantCulture,
            $"The custom partitioner returned partition {partition} for topic '{topic}', which has partitions 0 to {partitionCount - 1}.");

    private static string Describe(SerializationContext context) =>
        context.Topic is null ? "data" : $"{context.Component.ToString().ToLowerInvariant()} of a record in topic '{context.Topic}'";
}

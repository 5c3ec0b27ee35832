using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CommitLog.Tests.Serialization;

public sealed record Order(string Id, int Quantity, decimal Price, string[] Tags);

[JsonSerializable(typeof(Order))]
internal sealed partial class OrderJsonContext : JsonSerializerContext;

public class SerializerTests
{
    private static readonly SerializationContext ValueContext = new(MessageComponentType.Value, "orders");
    private static readonly SerializationContext KeyContext = new(MessageComponentType.Key, "orders");

    [Property(MaxTest = 300)]
    public Property Utf8_RoundTrips_OverSplitSequences(NonNull<string> text, PositiveInt pieces)
    {
        // Lone surrogates are not representable in UTF-8; compare with what UTF-8 can carry.
        string expected = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text.Get));
        byte[] bytes = Sequences.Serialize(Serializers.Utf8, text.Get, ValueContext);
        string? back = Deserializers.Utf8.Deserialize(Sequences.Split(bytes, pieces.Get % 7), false, ValueContext);
        return (back == expected && bytes.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(text.Get))).ToProperty();
    }

    [Property(MaxTest = 300)]
    public Property Int32_RoundTrips_BigEndian(int value, PositiveInt pieces)
    {
        byte[] bytes = Sequences.Serialize(Serializers.Int32, value, KeyContext);
        int back = Deserializers.Int32.Deserialize(Sequences.Split(bytes, pieces.Get % 5), false, KeyContext);
        return (back == value && bytes.Length == 4 && bytes[0] == (byte)(value >> 24)).ToProperty();
    }

    [Property(MaxTest = 300)]
    public Property Int64_RoundTrips_BigEndian(long value, PositiveInt pieces)
    {
        byte[] bytes = Sequences.Serialize(Serializers.Int64, value, KeyContext);
        long back = Deserializers.Int64.Deserialize(Sequences.Split(bytes, pieces.Get % 9), false, KeyContext);
        return (back == value && bytes.Length == 8 && bytes[0] == (byte)(value >> 56)).ToProperty();
    }

    [Property(MaxTest = 300)]
    public Property ByteArray_RoundTrips(byte[] value, PositiveInt pieces)
    {
        byte[] bytes = Sequences.Serialize(Serializers.ByteArray, value, ValueContext);
        byte[]? back = Deserializers.ByteArray.Deserialize(Sequences.Split(bytes, pieces.Get % 5), false, ValueContext);
        byte[] viaMemory = Sequences.Serialize(Serializers.Memory, (ReadOnlyMemory<byte>)value, ValueContext);
        return (back is not null && back.AsSpan().SequenceEqual(value) && viaMemory.AsSpan().SequenceEqual(value)).ToProperty();
    }

    [Property(MaxTest = 200)]
    public Property Json_SourceGenerated_RoundTrips(NonNull<string> id, int quantity, decimal price, NonNull<string>[] tags,
        PositiveInt pieces)
    {
        var order = new Order(id.Get, quantity, price, [.. tags.Select(t => t.Get)]);
        ISerializer<Order> serializer = Serializers.Json(OrderJsonContext.Default.Order);
        byte[] bytes = Sequences.Serialize(serializer, order, ValueContext);
        Order? back = Deserializers.Json(OrderJsonContext.Default.Order).Deserialize(Sequences.Split(bytes, pieces.Get % 6), false,
            ValueContext);
        string Normalize(string s) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(s));
        return (back is not null && back.Id == Normalize(order.Id) && back.Quantity == quantity && back.Price == price
            && back.Tags.SequenceEqual(order.Tags.Select(Normalize))).ToProperty();
    }

    [Fact]
    public void Int32_WritesKafkaBigEndianBytes()
    {
        Assert.Equal([0x00, 0x00, 0x01, 0x02], Sequences.Serialize(Serializers.Int32, 258, KeyContext));
        Assert.Equal([0xFF, 0xFF, 0xFF, 0xFE], Sequences.Serialize(Serializers.Int32, -2, KeyContext));
        Assert.Equal([0, 0, 0, 0, 0, 0, 0x01, 0x00], Sequences.Serialize(Serializers.Int64, 256L, KeyContext));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(5)]
    public void Int32_WrongLength_ThrowsNamingLengthAndTopic(int length)
    {
        var ex = Assert.Throws<InvalidDataException>(() => Deserializers.Int32.Deserialize(new ReadOnlySequence<byte>(new byte[length]),
            false, KeyContext));
        Assert.Contains("exactly 4 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"has {length} byte(s)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("key of a record in topic 'orders'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Int64_WrongLengthOrNull_Throws()
    {
        Assert.Throws<InvalidDataException>(() => Deserializers.Int64.Deserialize(new ReadOnlySequence<byte>(new byte[4]), false,
            ValueContext));
        var ex = Assert.Throws<InvalidDataException>(() => Deserializers.Int64.Deserialize(default, true, ValueContext));
        Assert.Contains("is null", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => Deserializers.Int32.Deserialize(default, true, ValueContext));
    }

    [Fact]
    public void NullData_GivesNullForReferenceTypes()
    {
        Assert.Null(Deserializers.Utf8.Deserialize(default, true, ValueContext));
        Assert.Null(Deserializers.ByteArray.Deserialize(default, true, ValueContext));
        Assert.Null(Deserializers.Json(OrderJsonContext.Default.Order).Deserialize(default, true, ValueContext));
        Assert.Null(Deserializers.Null.Deserialize(default, true, ValueContext));
        Assert.Null(Deserializers.Ignore.Deserialize(new ReadOnlySequence<byte>([1, 2, 3]), false, ValueContext));
    }

    [Fact]
    public void EmptyData_IsNotNull()
    {
        Assert.Equal(string.Empty, Deserializers.Utf8.Deserialize(ReadOnlySequence<byte>.Empty, false, ValueContext));
        Assert.Equal([], Deserializers.ByteArray.Deserialize(ReadOnlySequence<byte>.Empty, false, ValueContext)!);
    }

    [Fact]
    public void NullDeserializer_NonNullData_Throws()
    {
        var ex = Assert.Throws<InvalidDataException>(() => Deserializers.Null.Deserialize(new ReadOnlySequence<byte>([1]), false,
            ValueContext));
        Assert.Contains("only accepts null data", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_InvalidData_ThrowsInvalidDataWithTheJsonError()
    {
        IDeserializer<Order?> deserializer = Deserializers.Json(OrderJsonContext.Default.Order);
        var ex = Assert.Throws<InvalidDataException>(() => deserializer.Deserialize(new ReadOnlySequence<byte>("{\"Id\":"u8.ToArray()),
            false, ValueContext));
        Assert.Contains("not valid JSON for Order", ex.Message, StringComparison.Ordinal);
        Assert.IsType<JsonException>(ex.InnerException, exactMatch: false);
    }

    [Fact]
    public void Json_Reflection_HonoursOptionsWithoutChangingThem()
    {
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        ISerializer<Order> serializer = Serializers.Json<Order>(options);
        byte[] bytes = Sequences.Serialize(serializer, new Order("o-1", 2, 9.5m, ["x"]), ValueContext);
        Assert.Equal("{\"id\":\"o-1\",\"quantity\":2,\"price\":9.5,\"tags\":[\"x\"]}", Encoding.UTF8.GetString(bytes));
        Assert.False(options.IsReadOnly);
        Order? back = Deserializers.Json<Order>(options).Deserialize(new ReadOnlySequence<byte>(bytes), false, ValueContext);
        Assert.Equal("o-1", back!.Id);
    }

    [Fact]
    public void Json_SourceGenerated_WritesCompactUtf8()
    {
        byte[] bytes = Sequences.Serialize(Serializers.Json(OrderJsonContext.Default.Order), new Order("é", 1, 1m, []), ValueContext);
        Assert.Equal("{\"Id\":\"\\u00E9\",\"Quantity\":1,\"Price\":1,\"Tags\":[]}", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Utf8_InvalidBytes_BecomeReplacementCharacters() =>
        Assert.Equal("a\uFFFDb", Deserializers.Utf8.Deserialize(new ReadOnlySequence<byte>([0x61, 0xFF, 0x62]), false, ValueContext));

    [Fact]
    public void Serializers_WriteAfterExistingBytes()
    {
        var buffer = new ArrayBufferWriter<byte>();
        Serializers.Utf8.Serialize("ab", buffer, ValueContext);
        Serializers.Int32.Serialize(1, buffer, ValueContext);
        Serializers.ByteArray.Serialize([9], buffer, ValueContext);
        Assert.Equal([0x61, 0x62, 0, 0, 0, 1, 9], buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Context_CarriesTopicComponentAndHeaders()
    {
        var headers = new Headers { { "schema", [1] } };
        var context = new SerializationContext(MessageComponentType.Value, "t", headers);
        Assert.Equal("t", context.Topic);
        Assert.Equal(MessageComponentType.Value, context.Component);
        Assert.Same(headers, context.Headers);
        Assert.Throws<ArgumentNullException>(() => new SerializationContext(MessageComponentType.Key, null!));
    }

    [Fact]
    public void Json_SourceGenerated_SteadyState_AllocatesNothing()
    {
        ISerializer<Order> serializer = Serializers.Json(OrderJsonContext.Default.Order);
        var order = new Order("o-1", 2, 9.5m, ["a", "b"]);
        var buffer = new ArrayBufferWriter<byte>(1024);
        for (int i = 0; i < 10; i++)
        {
            buffer.ResetWrittenCount();
            serializer.Serialize(order, buffer, ValueContext);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            buffer.ResetWrittenCount();
            serializer.Serialize(order, buffer, ValueContext);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Json_SerializersWithDifferentOptions_Alternating_EachKeepItsFormat()
    {
        ISerializer<Order> compact = Serializers.Json(OrderJsonContext.Default.Order);
        ISerializer<Order> indented = Serializers.Json<Order>(new JsonSerializerOptions { WriteIndented = true });
        var order = new Order("o", 1, 1m, []);
        for (int i = 0; i < 3; i++)
        {
            Assert.DoesNotContain("\n", Encoding.UTF8.GetString(Sequences.Serialize(compact, order, ValueContext)), StringComparison.Ordinal);
            Assert.Contains("\n", Encoding.UTF8.GetString(Sequences.Serialize(indented, order, ValueContext)), StringComparison.Ordinal);
        }
    }
}

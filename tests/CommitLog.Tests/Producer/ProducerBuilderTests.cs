using static CommitLog.Tests.Producer.ProducerTestKit;

namespace CommitLog.Tests.Producer;

public class ProducerBuilderTests
{
    public sealed record Order(string Id);

    [Fact]
    public async Task Build_IdempotenceWithAcksOne_ThrowsNamingKeys()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        var config = new ProducerConfig { EnableIdempotence = true, Acks = Acks.Leader };

        var e = Assert.Throws<ArgumentException>(() => new ProducerBuilder<string, string>(broker, config).Build());

        Assert.Equal("enable.idempotence", e.ParamName);
        Assert.Contains("acks", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_UnknownKey_ThrowsNamingKey()
    {
        var e = Assert.Throws<ArgumentException>(() => new ProducerConfig(new Dictionary<string, string> { ["linger.mss"] = "5" }));
        Assert.Contains("linger.mss", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_TypeWithoutDefaultSerializer_ThrowsNamingType()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();

        var e = Assert.Throws<InvalidOperationException>(() => broker.CreateProducer<string, Order>(new ProducerConfig()));

        Assert.Contains(typeof(Order).FullName!, e.Message, StringComparison.Ordinal);
        Assert.Contains("SetValueSerializer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_JsonSerializerAndCustomPartitioner_Used()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("t", 4, cancellationToken: Ct);
        await using var producer = new ProducerBuilder<string, Order>(broker, new ProducerConfig { LingerMs = TimeSpan.Zero })
            .SetValueSerializer(Serializers.Json<Order>())
            .SetPartitioner(Partitioners.Custom((topic, key, keyIsNull, count) => count - 1))
            .Build();

        var result = await producer.ProduceAsync("t", new Message<string, Order> { Key = "k", Value = new Order("o-1") }, Ct);

        Assert.Equal(3, result.Partition.Value);
        Assert.Equal("{\"Id\":\"o-1\"}", Text(Assert.Single(ReadRecords(broker, "t", 3)).Value));
    }

    [Fact]
    public async Task Name_IncludesClientIdAndProducerId()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await using var producer = broker.CreateProducer<string, string>(new ProducerConfig { ClientId = "orders" });

        Assert.Equal("orders", producer.ClientId);
        Assert.StartsWith("orders#producer-", producer.Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProduceAsync_AfterDispose_Throws()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("t", 1, cancellationToken: Ct);
        var producer = broker.CreateProducer<string, string>(new ProducerConfig());
        await producer.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await producer.ProduceAsync("t", new Message<string, string> { Value = "v" }, Ct));
    }
}

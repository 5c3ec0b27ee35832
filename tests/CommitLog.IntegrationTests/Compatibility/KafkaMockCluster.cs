using Confluent.Kafka;

namespace CommitLog.IntegrationTests.Compatibility;

/// <summary>
/// A librdkafka in-process mock cluster (<c>test.mock.num.brokers=1</c>), kept alive by one producer for the test
/// class. Other clients connect to it through <see cref="BootstrapServers"/>; raw requests go to <see cref="Host"/>:<see cref="Port"/>.
/// If the native library cannot load, <see cref="SkipIfUnavailable"/> skips the test with the reason.
/// </summary>
public sealed class KafkaMockCluster : IDisposable
{
    private readonly IProducer<byte[]?, byte[]?>? _anchor;
    private readonly string? _unavailable;

    public KafkaMockCluster()
    {
        try
        {
            _ = Library.Version; // loads the native library
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or BadImageFormatException
                                      or EntryPointNotFoundException or InvalidOperationException)
        {
            _unavailable = $"librdkafka (Confluent.Kafka's native library) could not be loaded: {e.GetBaseException().Message}";
            return;
        }

        var config = new ProducerConfig { Acks = Acks.All };
        config.Set("test.mock.num.brokers", "1");
        _anchor = new ProducerBuilder<byte[]?, byte[]?>(config).Build();
        using IAdminClient admin = new DependentAdminClientBuilder(_anchor.Handle).Build();
        Metadata metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        BrokerMetadata broker = metadata.Brokers.Single();
        Host = broker.Host;
        Port = broker.Port;
    }

    public string Host { get; } = "";

    public int Port { get; }

    public string BootstrapServers => $"{Host}:{Port}";

    public void SkipIfUnavailable()
    {
        if (_unavailable is not null)
        {
            Assert.Skip(_unavailable);
        }
    }

    /// <summary>Creates <paramref name="topic"/> (auto-created by the mock on first use) by producing one seed message to partition 0.</summary>
    public void CreateTopic(string topic)
    {
        _anchor!.ProduceAsync(new TopicPartition(topic, 0), new Message<byte[]?, byte[]?> { Value = "seed"u8.ToArray() })
            .GetAwaiter().GetResult();
    }

    public void Dispose() => _anchor?.Dispose();
}

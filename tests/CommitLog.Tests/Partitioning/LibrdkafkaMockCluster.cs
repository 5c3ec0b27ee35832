using Confluent.Kafka;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using KafkaDeliveryResult = Confluent.Kafka.DeliveryResult<byte[]?, byte[]>;
using KafkaMessage = Confluent.Kafka.Message<byte[]?, byte[]>;
using IProducer = Confluent.Kafka.IProducer<byte[]?, byte[]>;
using ProducerBuilder = Confluent.Kafka.ProducerBuilder<byte[]?, byte[]>;

namespace CommitLog.Tests.Partitioning;

/// <summary>
/// A librdkafka producer on librdkafka's in-process mock cluster (<c>test.mock.num.brokers</c>): no broker, no
/// network beyond loopback. Used to check that our partitioners place keys where librdkafka does.
/// </summary>
internal sealed class LibrdkafkaMockCluster : IDisposable
{
    private readonly IProducer _producer;

    public LibrdkafkaMockCluster(string partitioner, IEnumerable<KeyValuePair<string, string>>? extra = null)
    {
        var config = new Dictionary<string, string>
        {
            ["test.mock.num.brokers"] = "1",
            ["partitioner"] = partitioner,
            ["linger.ms"] = "0",
            ["enable.idempotence"] = "false",
            ["log_level"] = "3",
        };
        foreach (KeyValuePair<string, string> entry in extra ?? [])
        {
            config[entry.Key] = entry.Value;
        }

        _producer = new ProducerBuilder(config).SetLogHandler((_, _) => { }).Build();
    }

    /// <summary>
    /// Creates a topic on the mock cluster with librdkafka's <c>rd_kafka_mock_topic_create</c>. (An admin client's
    /// CreateTopics waits forever here: the mock's metadata names controller 0, which does not exist.) The native
    /// functions are taken from the librdkafka build Confluent.Kafka loaded into this process.
    /// </summary>
    public unsafe void CreateTopic(string topic, int partitions)
    {
        var handle = (SafeHandle)typeof(Handle)
            .GetProperty("LibrdkafkaHandle", BindingFlags.Instance | BindingFlags.NonPublic)!
            .GetValue(_producer.Handle)!;
        string path = Process.GetCurrentProcess().Modules.Cast<ProcessModule>()
            .First(m => m.ModuleName.Contains("librdkafka", StringComparison.Ordinal)).FileName;
        nint library = NativeLibrary.Load(path);
        var mockCluster = (delegate* unmanaged<nint, nint>)NativeLibrary.GetExport(library, "rd_kafka_handle_mock_cluster");
        var createTopic = (delegate* unmanaged<nint, byte*, int, int, int>)NativeLibrary.GetExport(library, "rd_kafka_mock_topic_create");
        nint cluster = mockCluster(handle.DangerousGetHandle());
        Assert.NotEqual(0, cluster);
        byte[] name = Encoding.UTF8.GetBytes(topic + "\0");
        fixed (byte* p = name)
        {
            Assert.Equal(0, createTopic(cluster, p, partitions, 1));
        }
    }

    /// <summary>Produces one record per key and returns the partition librdkafka chose for each.</summary>
    public async Task<int[]> ProduceAsync(string topic, IReadOnlyList<byte[]?> keys, CancellationToken cancellationToken)
    {
        Task<KafkaDeliveryResult>[] sends =
            [.. keys.Select(k => _producer.ProduceAsync(topic, new KafkaMessage { Key = k, Value = [1] }, cancellationToken))];
        KafkaDeliveryResult[] results = await Task.WhenAll(sends);
        return [.. results.Select(r => r.Partition.Value)];
    }

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(5));
        _producer.Dispose();
    }
}

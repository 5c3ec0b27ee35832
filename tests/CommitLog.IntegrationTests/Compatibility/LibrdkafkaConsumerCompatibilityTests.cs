using CommitLog.Storage;
using Confluent.Kafka;
using CompressionType = CommitLog.Storage.CompressionType;

namespace CommitLog.IntegrationTests.Compatibility;

/// <summary>
/// Batches that our <see cref="RecordBatchBuilder"/> encodes, put on the mock broker with a raw Produce v3 request,
/// are consumed by librdkafka with <c>check.crcs=true</c> as the same messages; a one-byte flip is rejected.
/// </summary>
public sealed class LibrdkafkaConsumerCompatibilityTests(KafkaMockCluster cluster) : IClassFixture<KafkaMockCluster>
{
    public static TheoryData<CompressionType> Codecs => [CompressionType.None, CompressionType.Gzip, CompressionType.Lz4];

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Codecs))]
    public async Task OurBatches_ConsumedByLibrdkafkaWithCrcCheck_SameMessages(CompressionType compression)
    {
        cluster.SkipIfUnavailable();
        CancellationToken ct = TestContext.Current.CancellationToken;
        string topic = $"from-commitlog-{compression}";
        cluster.CreateTopic(topic); // offset 0 holds the seed message
        IReadOnlyList<Message<byte[]?, byte[]?>> sent = CompatMessages.Create(12);

        using (KafkaWire wire = await KafkaWire.ConnectAsync(cluster.Host, cluster.Port, ct))
        {
            // Two batches: records 0-6 and 7-11.
            foreach (IEnumerable<Message<byte[]?, byte[]?>> chunk in new[] { sent.Take(7), sent.Skip(7) })
            {
                (short error, _) = await wire.ProduceAsync(topic, 0, Encode(compression, chunk), ct);
                Assert.Equal(0, error);
            }
        }

        using IConsumer<byte[]?, byte[]?> consumer = CreateConsumer();
        consumer.Assign(new TopicPartitionOffset(topic, 0, 1));
        for (int i = 0; i < sent.Count; i++)
        {
            ConsumeResult<byte[]?, byte[]?> result = consumer.Consume(TimeSpan.FromSeconds(10));
            Assert.NotNull(result);
            Message<byte[]?, byte[]?> expected = sent[i];
            Assert.Equal(1 + i, result.Offset.Value);
            Assert.Equal(expected.Key, result.Message.Key);
            Assert.Equal(expected.Value, result.Message.Value);
            Assert.Equal(expected.Timestamp.UnixTimestampMs, result.Message.Timestamp.UnixTimestampMs);
            Assert.Equal(Confluent.Kafka.TimestampType.CreateTime, result.Message.Timestamp.Type);
            Assert.Equal(expected.Headers.Select(h => (h.Key, h.GetValueBytes())), result.Message.Headers.Select(h => (h.Key, h.GetValueBytes())));
        }
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Codecs))]
    public async Task OurBatch_OneByteFlipped_RejectedByLibrdkafkaCrcCheck(CompressionType compression)
    {
        cluster.SkipIfUnavailable();
        CancellationToken ct = TestContext.Current.CancellationToken;
        string topic = $"flipped-{compression}";
        cluster.CreateTopic(topic);
        byte[] batch = Encode(compression, CompatMessages.Create(3));
        batch[^5] ^= 0x01; // inside the records section, covered by the CRC
        Assert.False(new RecordBatch(batch).IsCrcValid);

        using (KafkaWire wire = await KafkaWire.ConnectAsync(cluster.Host, cluster.Port, ct))
        {
            (short error, _) = await wire.ProduceAsync(topic, 0, batch, ct); // the mock stores without checking
            Assert.Equal(0, error);
        }

        using IConsumer<byte[]?, byte[]?> consumer = CreateConsumer();
        consumer.Assign(new TopicPartitionOffset(topic, 0, 1));
        var e = Assert.Throws<ConsumeException>(() =>
        {
            for (int i = 0; i < 3; i++)
            {
                if (consumer.Consume(TimeSpan.FromSeconds(10)) is null)
                {
                    return;
                }
            }
        });
        Assert.Equal(Confluent.Kafka.ErrorCode.Local_BadMsg, e.Error.Code);
        Assert.Contains("CRC", e.Error.Reason, StringComparison.OrdinalIgnoreCase);
    }

    private static byte[] Encode(CompressionType compression, IEnumerable<Message<byte[]?, byte[]?>> messages)
    {
        using var builder = new RecordBatchBuilder(compression);
        foreach (Message<byte[]?, byte[]?> m in messages)
        {
            RecordHeader[] headers = [.. m.Headers.Select(h => new RecordHeader(h.Key, h.GetValueBytes()))];
            builder.Append(m.Timestamp.UnixTimestampMs, m.Key, m.Value, headers);
        }

        return builder.ToArray();
    }

    private IConsumer<byte[]?, byte[]?> CreateConsumer()
        => new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = "commitlog-compat",
            EnableAutoCommit = false,
            CheckCrcs = true,
            FetchWaitMaxMs = 50,
        }).Build();
}

using CommitLog.Storage;
using Confluent.Kafka;
using CompressionType = CommitLog.Storage.CompressionType;
using Record = CommitLog.Storage.Record;

namespace CommitLog.IntegrationTests.Compatibility;

/// <summary>
/// Batches that librdkafka's producer encodes (read back raw from the mock broker with Fetch v4) decode with our
/// <see cref="RecordBatch"/> to the same records, pass our CRC check, and re-encode with our builder to the same bytes.
/// </summary>
public sealed class LibrdkafkaProducerCompatibilityTests(KafkaMockCluster cluster) : IClassFixture<KafkaMockCluster>
{
    private const int MessageCount = 12;

    public static TheoryData<string, bool> Variants => new()
    {
        { "none", false }, { "none", true },
        { "gzip", false }, { "gzip", true },
        { "lz4", false }, { "lz4", true },
    };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Variants))]
    public async Task LibrdkafkaBatches_DecodeWithOurReader_SameRecordsAndProducerFields(string compression, bool idempotent)
    {
        cluster.SkipIfUnavailable();
        CancellationToken ct = TestContext.Current.CancellationToken;
        string topic = $"from-librdkafka-{compression}-{idempotent}";
        IReadOnlyList<Message<byte[]?, byte[]?>> sent = CompatMessages.Create(MessageCount);
        await ProduceWithLibrdkafkaAsync(topic, compression, idempotent, sent, ct);

        List<RecordBatch> batches = await FetchAllAsync(topic, sent.Count, ct);

        var expectedCodec = compression switch { "gzip" => CompressionType.Gzip, "lz4" => CompressionType.Lz4, _ => CompressionType.None };
        var received = new List<Record>();
        int sequence = 0;
        foreach (RecordBatch batch in batches)
        {
            batch.Validate(); // magic, lengths, CRC-32C, offsets
            RecordBatchHeader h = batch.Header;
            Assert.Equal(expectedCodec, h.Compression);
            Assert.Equal(Storage.TimestampType.CreateTime, h.TimestampType);
            if (idempotent)
            {
                Assert.True(h.ProducerId >= 0, $"producerId {h.ProducerId}");
                Assert.True(h.ProducerEpoch >= 0, $"producerEpoch {h.ProducerEpoch}");
                Assert.Equal(sequence, h.BaseSequence);
            }
            else
            {
                Assert.Equal((-1L, (short)-1, -1), (h.ProducerId, h.ProducerEpoch, h.BaseSequence));
            }

            List<Record> records = batch.ToList();
            Assert.Equal(h.RecordsCount, records.Count);
            Assert.Equal(records.Max(r => r.Timestamp), h.MaxTimestamp);
            sequence += records.Count;
            received.AddRange(records);
            AssertOurEncodingIsIdentical(batch, records);
            if (expectedCodec == CompressionType.Lz4)
            {
                Assert.Equal(0x60, batch.Memory.Span[RecordBatchHeader.Size + 4]); // librdkafka's FLG byte, same as ours
            }
        }

        Assert.Equal(sent.Count, received.Count);
        for (int i = 0; i < sent.Count; i++)
        {
            AssertSame(sent[i], received[i], expectedOffset: i);
        }
    }

    internal static void AssertSame(Message<byte[]?, byte[]?> expected, Record actual, long expectedOffset)
    {
        Assert.Equal(expectedOffset, actual.Offset);
        Assert.Equal(expected.Timestamp.UnixTimestampMs, actual.Timestamp);
        AssertBytes(expected.Key, actual.Key);
        AssertBytes(expected.Value, actual.Value);
        Assert.Equal(expected.Headers.Count, actual.Headers.Count);
        for (int j = 0; j < expected.Headers.Count; j++)
        {
            Assert.Equal(expected.Headers[j].Key, actual.Headers[j].Key);
            AssertBytes(expected.Headers[j].GetValueBytes(), actual.Headers[j].Value);
        }
    }

    private static void AssertBytes(byte[]? expected, ReadOnlyMemory<byte>? actual)
    {
        if (expected is null)
        {
            Assert.Null(actual);
        }
        else
        {
            Assert.NotNull(actual);
            Assert.Equal(expected, actual.Value.ToArray());
        }
    }

    /// <summary>Re-encodes the decoded records with our builder and compares with librdkafka's bytes.</summary>
    private static void AssertOurEncodingIsIdentical(RecordBatch theirs, List<Record> records)
    {
        RecordBatchHeader h = theirs.Header;
        using var builder = new RecordBatchBuilder
        {
            BaseOffset = h.BaseOffset,
            PartitionLeaderEpoch = h.PartitionLeaderEpoch,
            ProducerId = h.ProducerId,
            ProducerEpoch = h.ProducerEpoch,
            BaseSequence = h.BaseSequence,
            BaseTimestamp = h.BaseTimestamp,
        };
        foreach (Record r in records)
        {
            builder.AppendWithOffset(r.Offset, r.Timestamp, r.Key, r.Value, r.Headers.ToArray());
        }

        byte[] ours = builder.ToArray();
        if (h.Compression == CompressionType.None)
        {
            Assert.Equal(theirs.Memory.ToArray(), ours); // byte-identical, CRC included
        }
        else
        {
            // Compressed bytes depend on the compressor's implementation; the records section must be identical.
            var section = new System.Buffers.ArrayBufferWriter<byte>();
            CompressionCodecs.Get(h.Compression)!.Decompress(theirs.Memory[RecordBatchHeader.Size..], section, int.MaxValue);
            Assert.Equal(ours.AsSpan(RecordBatchHeader.Size).ToArray(), section.WrittenSpan.ToArray());
            Assert.Equal(ours.AsSpan(RecordBatchHeader.AttributesOffset + 2, RecordBatchHeader.Size - RecordBatchHeader.AttributesOffset - 2).ToArray(),
                theirs.Memory.Span[(RecordBatchHeader.AttributesOffset + 2)..RecordBatchHeader.Size].ToArray());
        }
    }

    private async Task ProduceWithLibrdkafkaAsync(
        string topic, string compression, bool idempotent, IReadOnlyList<Message<byte[]?, byte[]?>> messages, CancellationToken ct)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            EnableIdempotence = idempotent,
            Acks = Acks.All,
            LingerMs = 20,
            BatchNumMessages = 5, // several batches per topic, so base sequences advance
        };
        config.Set("compression.codec", compression);
        using IProducer<byte[]?, byte[]?> producer = new ProducerBuilder<byte[]?, byte[]?>(config).Build();
        var deliveries = new List<Task<DeliveryResult<byte[]?, byte[]?>>>();
        foreach (Message<byte[]?, byte[]?> message in messages)
        {
            deliveries.Add(producer.ProduceAsync(new TopicPartition(topic, 0), message, ct));
        }

        await Task.WhenAll(deliveries);
        Assert.All(deliveries, d => Assert.Equal(PersistenceStatus.Persisted, d.Result.Status));
    }

    private async Task<List<RecordBatch>> FetchAllAsync(string topic, int expectedRecords, CancellationToken ct)
    {
        using KafkaWire wire = await KafkaWire.ConnectAsync(cluster.Host, cluster.Port, ct);
        var batches = new List<RecordBatch>();
        long next = 0;
        while (next < expectedRecords)
        {
            (short error, _, byte[] records) = await wire.FetchAsync(topic, 0, next, ct);
            Assert.Equal(0, error);
            RecordBatchEnumerator all = RecordBatch.ReadAll(records);
            bool any = false;
            while (all.MoveNext())
            {
                batches.Add(all.Current);
                next = all.Current.Header.NextOffset;
                any = true;
            }

            Assert.True(any, $"fetch at offset {next} returned no whole batch");
        }

        return batches;
    }
}

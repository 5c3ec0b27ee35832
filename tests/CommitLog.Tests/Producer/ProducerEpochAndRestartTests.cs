using CommitLog.Storage;
using static CommitLog.Tests.Producer.ProducerTestKit;

namespace CommitLog.Tests.Producer;

/// <summary>
/// Idempotence across a restart of the log (a retry after the restart is recognized, not appended twice), and the
/// producer-wide epoch bump after a batch failed for good (KIP-360): every partition restarts at sequence 0 in the new
/// epoch, and the log fences batches of the old epoch.
/// </summary>
public class ProducerEpochAndRestartTests
{
    [Fact]
    public async Task ProduceAsync_BatchFailsOnOnePartition_EveryPartitionMovesToNextEpochAtSequenceZero()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("t", 3, new TopicConfig([new("max.message.bytes", "2000")]), Ct);
        var producer = (Producer<Null, string>)broker.CreateProducer<Null, string>(Settings(lingerMs: 0, acks: Acks.All));
        await using var _ = producer;
        for (int p = 0; p < 3; p++)
        {
            for (int i = 0; i < 3; i++)
            {
                await producer.ProduceAsync(new TopicPartition("t", p), new Message<Null, string> { Value = $"before-{p}-{i}" }, Ct);
            }
        }

        await Assert.ThrowsAsync<RecordTooLargeException>(async () =>
            await producer.ProduceAsync(new TopicPartition("t", 0), new Message<Null, string> { Value = new string('x', 5000) }, Ct));
        Assert.Equal(1, producer.Epoch);

        for (int p = 0; p < 3; p++)
        {
            for (int i = 0; i < 2; i++)
            {
                await producer.ProduceAsync(new TopicPartition("t", p), new Message<Null, string> { Value = $"after-{p}-{i}" }, Ct);
            }
        }

        for (int p = 0; p < 3; p++)
        {
            var batches = ReadBatches(broker, "t", p);
            Assert.All(batches, b => Assert.Equal(producer.ProducerId, b.Header.ProducerId));
            // Epoch 0 at sequences 0, 1, 2, then epoch 1 from sequence 0: on the failed partition and on the others.
            Assert.Equal([(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)], batches.Select(b => ((int)b.Header.ProducerEpoch, b.Header.BaseSequence)));
            Assert.Equal(
                [$"before-{p}-0", $"before-{p}-1", $"before-{p}-2", $"after-{p}-0", $"after-{p}-1"],
                batches.SelectMany(b => b.Records).Select(r => Text(r.Value)));
        }
    }

    [Fact]
    public async Task Append_OldEpochBatchAfterEpochBump_FencedByTheLog()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("t", 2, new TopicConfig([new("max.message.bytes", "2000")]), Ct);
        var producer = (Producer<Null, string>)broker.CreateProducer<Null, string>(Settings(lingerMs: 0, acks: Acks.All));
        await using var _ = producer;
        var p1 = new TopicPartition("t", 1);
        await producer.ProduceAsync(p1, new Message<Null, string> { Value = "epoch-0" }, Ct);
        await Assert.ThrowsAsync<RecordTooLargeException>(async () =>
            await producer.ProduceAsync(new TopicPartition("t", 0), new Message<Null, string> { Value = new string('x', 5000) }, Ct));
        await producer.ProduceAsync(p1, new Message<Null, string> { Value = "epoch-1" }, Ct);

        // A batch of the old epoch arriving late (e.g. a retry of the producer's earlier life), next in its old sequence.
        using var builder = new RecordBatchBuilder { ProducerId = producer.ProducerId, ProducerEpoch = 0, BaseSequence = 1 };
        builder.Append(0, null, "late"u8.ToArray());
        var e = await Assert.ThrowsAnyAsync<CommitLogException>(async () => await broker.AppendAsync(p1, builder.Build().ToArray(), Ct));

        Assert.Equal(ErrorCode.InvalidProducerEpoch, e.ErrorCode);
        Assert.Equal(["epoch-0", "epoch-1"], ReadRecords(broker, "t", 1).Select(r => Text(r.Value)));
    }

    [Fact]
    public async Task ProduceAsync_AckLostThenPartitionLogReopened_RetryAcknowledgedWithOriginalOffsetsStoredOnce()
    {
        var directory = Directory.CreateTempSubdirectory("commitlog-restart-").FullName;
        try
        {
            await using var broker = await CommitLog.Broker.OpenAsync(directory, cancellationToken: Ct);
            await broker.Admin.CreateTopicAsync("t", 1, cancellationToken: Ct);
            var producer = (Producer<Null, string>)broker.CreateProducer<Null, string>(Settings(lingerMs: 0, acks: Acks.All));
            await using var _ = producer;
            await producer.ProduceAsync("t", new Message<Null, string> { Value = "first" }, Ct);
            var appends = new List<AppendResult>();
            producer.LoseAcknowledgement = (tp, result) =>
            {
                lock (appends)
                {
                    appends.Add(result);
                    if (appends.Count > 1)
                    {
                        return false;
                    }
                }

                // The log restarts between the append and its acknowledgement: closed (snapshot of producer state) and
                // reopened from disk (a changed segment.bytes makes the broker reopen the partition's log).
                broker.Admin.AlterTopicConfigAsync("t", new TopicConfig([new("segment.bytes", "1048576")]), Ct).AsTask().GetAwaiter().GetResult();
                return true;
            };

            var messages = Enumerable.Range(0, 5).Select(i => new Message<Null, string> { Value = $"v{i}" }).ToList();
            var results = await producer.ProduceBatchAsync(new TopicPartition("t", 0), messages, Ct);

            Assert.True(appends.Count >= 2, "the lost acknowledgement must have been retried");
            Assert.False(appends[0].IsDuplicate);
            Assert.True(appends[1].IsDuplicate, "the reopened log must recognize the retry from its restored producer state");
            Assert.Equal(appends[0].FirstOffset, appends[1].FirstOffset);
            Assert.Equal(["first", "v0", "v1", "v2", "v3", "v4"], ReadRecords(broker, "t", 0).Select(r => Text(r.Value)));
            Assert.Equal(ReadRecords(broker, "t", 0).Skip(1).Select(r => r.Offset), results.Select(r => r.Offset.Value));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Append_ProducerBatchRetriedAfterBrokerRestart_AcknowledgedWithOriginalOffsetsNotAppendedTwice(bool deleteSnapshots)
    {
        var directory = Directory.CreateTempSubdirectory("commitlog-restart-").FullName;
        try
        {
            byte[] sent;
            long producerId;
            long baseOffset;
            IReadOnlyList<DeliveryResult<Null, string>> results;
            await using (var broker = await CommitLog.Broker.OpenAsync(directory, cancellationToken: Ct))
            {
                await broker.Admin.CreateTopicAsync("t", 1, cancellationToken: Ct);
                var producer = (Producer<Null, string>)broker.CreateProducer<Null, string>(Settings(lingerMs: 0, acks: Acks.All));
                await using (producer)
                {
                    producerId = producer.ProducerId;
                    await producer.ProduceAsync("t", new Message<Null, string> { Value = "first" }, Ct);
                    results = await producer.ProduceBatchAsync(
                        "t", Enumerable.Range(0, 5).Select(i => new Message<Null, string> { Value = $"v{i}" }), Ct);
                }

                var last = ReadBatches(broker, "t", 0)[^1];
                Assert.Equal(producerId, last.Header.ProducerId);
                using LogReadResult read = broker.Read(new TopicPartition("t", 0), last.Header.BaseOffset, 1 << 20);
                sent = read.Records.ToArray(); // the producer's last batch as the log stored it (same id, epoch, sequence)
                Assert.Equal(results[^1].Offset.Value, last.Header.LastOffset);
                baseOffset = last.Header.BaseOffset;
            }

            if (deleteSnapshots)
            {
                // No snapshot: the producer state is rebuilt by replaying the log's batches.
                foreach (var snapshot in Directory.EnumerateFiles(directory, "*.snapshot", SearchOption.AllDirectories))
                {
                    File.Delete(snapshot);
                }
            }

            await using (var broker = await CommitLog.Broker.OpenAsync(directory, cancellationToken: Ct))
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(sent, 0); // base offset 0, as a producer sends it
                AppendResult retry = await broker.AppendAsync(new TopicPartition("t", 0), sent, Ct);

                Assert.True(retry.IsDuplicate);
                Assert.Equal(baseOffset, retry.FirstOffset);
                Assert.Equal(results[^1].Offset.Value, retry.LastOffset);
                Assert.Equal(["first", "v0", "v1", "v2", "v3", "v4"], ReadRecords(broker, "t", 0).Select(r => Text(r.Value)));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

using static CommitLog.Tests.Consumer.ConsumerTestKit;

namespace CommitLog.Tests.Consumer;

public class ConsumerPositionTests
{
    private static readonly TopicPartition Tp = new("t", 0);

    [Fact]
    public async Task Seek_BackAndForward_NextRecordIsAtSeekOffset()
    {
        await using var broker = await BrokerWithTopicAsync();
        await ProduceAsync(broker, Tp, 50);
        using var consumer = broker.CreateConsumer<string, string>(Settings());
        consumer.Assign([Tp]);
        ConsumeRecords(consumer, 30);
        Assert.Equal(30, consumer.Position(Tp).Value);

        consumer.Seek(new TopicPartitionOffset(Tp, 10));
        Assert.Equal(10, consumer.Position(Tp).Value);
        Assert.Equal(Enumerable.Range(10, 40).Select(i => (long)i), ConsumeRecords(consumer, 40).Select(r => r.Offset.Value));

        consumer.Seek(new TopicPartitionOffset(Tp, 45));
        Assert.Equal(45, consumer.Consume(TimeSpan.FromSeconds(5))!.Offset.Value);
        consumer.SeekToBeginning([Tp]);
        Assert.Equal(0, consumer.Consume(TimeSpan.FromSeconds(5))!.Offset.Value);
        consumer.SeekToEnd([Tp]);
        Assert.Equal(50, consumer.Position(Tp).Value);
        Assert.Null(consumer.Consume(TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public async Task Seek_BadInput_ClearExceptions()
    {
        await using var broker = await BrokerWithTopicAsync(partitions: 2);
        await ProduceAsync(broker, Tp, 5);
        using var consumer = broker.CreateConsumer<string, string>(Settings());
        consumer.Assign([Tp]);

        consumer.Seek(new TopicPartitionOffset(Tp, 5)); // exactly the end is allowed
        var beyond = Assert.Throws<ArgumentOutOfRangeException>(() => consumer.Seek(new TopicPartitionOffset(Tp, 6)));
        Assert.Contains("t-0", beyond.Message, StringComparison.Ordinal);
        Assert.Contains("log end offset 5", beyond.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => consumer.Seek(new TopicPartitionOffset(Tp, -7)));
        var unassigned = Assert.Throws<InvalidOperationException>(() => consumer.Seek(new TopicPartitionOffset("t", 1, 0)));
        Assert.Contains("t-1", unassigned.Message, StringComparison.Ordinal);
        Assert.Contains("not assigned", unassigned.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => consumer.Position(new TopicPartition("t", 1)));
        var unknown = Assert.Throws<UnknownTopicOrPartitionException>(() => consumer.Assign([new TopicPartition("nope", 0)]));
        Assert.Contains("nope", unknown.Message, StringComparison.Ordinal);
        Assert.Throws<UnknownTopicOrPartitionException>(() => consumer.Assign([new TopicPartition("t", 7)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => consumer.Assign([new TopicPartitionOffset(Tp, 99)]));
        Assert.Equal([Tp], consumer.Assignment); // a failed Assign changed nothing
    }

    [Fact]
    public async Task IncrementalAssignAndUnassign_ChangeOnlyTheGivenPartitions()
    {
        await using var broker = await BrokerWithTopicAsync(partitions: 3);
        var p1 = new TopicPartition("t", 1);
        var p2 = new TopicPartition("t", 2);
        await ProduceAsync(broker, Tp, 3);
        await ProduceAsync(broker, p1, 3, start: 100);
        using var consumer = broker.CreateConsumer<string, string>(Settings());
        consumer.Assign([Tp]);
        ConsumeRecords(consumer, 2);

        consumer.IncrementalAssign([new TopicPartitionOffset(p1, 1), new TopicPartitionOffset(p2, Offset.End)]);
        Assert.Equal([Tp, p1, p2], consumer.Assignment);
        Assert.Equal(2, consumer.Position(Tp).Value); // untouched
        var rest = ConsumeRecords(consumer, 3);
        Assert.Equal(["t-0@2", "t-1@1", "t-1@2"], rest.Select(r => r.TopicPartitionOffset.ToString()).Order());
        Assert.Throws<ArgumentException>(() => consumer.IncrementalAssign([Tp]));

        consumer.IncrementalUnassign([Tp, p2]);
        Assert.Equal([p1], consumer.Assignment);
        Assert.Throws<ArgumentException>(() => consumer.IncrementalUnassign([Tp]));
        await ProduceAsync(broker, Tp, 1, start: 3);
        await ProduceAsync(broker, p1, 1, start: 103);
        Assert.Equal("t-1@3", consumer.Consume(TimeSpan.FromSeconds(5))!.TopicPartitionOffset.ToString());
        Assert.Null(consumer.Consume(TimeSpan.FromMilliseconds(100)));
        consumer.Unassign();
        Assert.Empty(consumer.Assignment);
    }

    [Fact]
    public async Task Assign_CommittedOffsetBeyondTruncatedLog_ResetsPerPolicy()
    {
        await using var broker = await BrokerWithTopicAsync();
        await ProduceAsync(broker, Tp, 10);
        await using (var first = broker.CreateConsumer<string, string>(Settings(groupId: "g")))
        {
            first.Assign([Tp]);
            first.Commit([new TopicPartitionOffset(Tp, 9)]);
        }

        Assert.True(broker.TryGetPartitionLog(Tp, out var log));
        log.TruncateTo(4); // the committed offset 9 is now past the log end
        using var consumer = broker.CreateConsumer<string, string>(Settings(groupId: "g", reset: "earliest"));
        consumer.Assign([Tp]);
        Assert.Equal(9, consumer.Position(Tp).Value);

        Assert.Equal(0, consumer.Consume(TimeSpan.FromSeconds(5))!.Offset.Value);
    }

    [Fact]
    public async Task Watermarks_QueryAndAfterFetch_MatchLog()
    {
        await using var broker = await BrokerWithTopicAsync();
        await ProduceAsync(broker, Tp, 20);
        Assert.True(broker.TryGetPartitionLog(Tp, out var log));
        log.DeleteRecordsBefore(5);
        using var consumer = broker.CreateConsumer<string, string>(Settings());
        consumer.Assign([Tp]);

        Assert.Equal(new WatermarkOffsets(5, 20), consumer.QueryWatermarkOffsets(Tp, TimeSpan.FromSeconds(1)));
        var first = consumer.Consume(TimeSpan.FromSeconds(5));
        Assert.Equal(5, first!.Offset.Value);
        Assert.Equal(new WatermarkOffsets(5, 20), consumer.GetWatermarkOffsets(Tp));
        Assert.Equal(new WatermarkOffsets(Offset.Unset, Offset.Unset), consumer.GetWatermarkOffsets(new TopicPartition("t", 3)));
    }

    [Fact]
    public async Task OffsetsForTimes_Timestamps_EarliestOffsetAtOrAfter()
    {
        await using var broker = await BrokerWithTopicAsync();
        await using (var producer = broker.CreateProducer<Null, string>(ProducerSettings()))
        {
            for (int i = 0; i < 10; i++)
            {
                await producer.ProduceAsync(Tp, new Message<Null, string> { Value = "x", Timestamp = new Timestamp(1_000_000 + (i * 100)) }, Ct);
            }
        }

        using var consumer = broker.CreateConsumer<Null, string>(Settings());
        var found = consumer.OffsetsForTimes(
            [new(Tp, new Timestamp(0)), new(Tp, new Timestamp(1_000_250)), new(Tp, new Timestamp(1_000_900)), new(Tp, new Timestamp(2_000_000))],
            TimeSpan.FromSeconds(1));

        Assert.Equal([0L, 3L, 9L, Offset.End.Value], found.Select(f => f.Offset.Value));
    }

    [Fact]
    public async Task Pause_PausedPartition_NoRecordsUntilResumeAndPositionKept()
    {
        await using var broker = await BrokerWithTopicAsync(partitions: 2);
        var other = new TopicPartition("t", 1);
        await ProduceAsync(broker, Tp, 10);
        await ProduceAsync(broker, other, 10);
        using var consumer = broker.CreateConsumer<string, string>(Settings());
        consumer.Assign([Tp, other]);
        consumer.Pause([Tp]);

        var records = ConsumeRecords(consumer, 10);
        Assert.All(records, r => Assert.Equal(1, r.Partition.Value));
        Assert.Null(consumer.Consume(TimeSpan.FromMilliseconds(100)));
        Assert.Equal(0, consumer.Position(Tp).Value);

        consumer.Resume([Tp]);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), ConsumeRecords(consumer, 10).Select(r => r.Offset.Value));
        Assert.Throws<InvalidOperationException>(() => consumer.Pause([new TopicPartition("t", 5)]));
    }

    [Theory]
    [InlineData("earliest", 0)]
    [InlineData("latest", 10)]
    public async Task Assign_NoCommittedOffset_StartsPerAutoOffsetReset(string reset, long expected)
    {
        await using var broker = await BrokerWithTopicAsync();
        await ProduceAsync(broker, Tp, 10);
        using var consumer = broker.CreateConsumer<string, string>(Settings(reset: reset));
        consumer.Assign([Tp]);

        Assert.Equal(expected, consumer.Position(Tp).Value);
        await ProduceAsync(broker, Tp, 1, start: 10);
        Assert.Equal(expected, consumer.Consume(TimeSpan.FromSeconds(5))!.Offset.Value);
    }

    [Fact]
    public async Task Consume_NoCommittedOffsetAndResetError_ThrowsNamingPartition()
    {
        await using var broker = await BrokerWithTopicAsync();
        await ProduceAsync(broker, Tp, 3);
        using var consumer = broker.CreateConsumer<string, string>(Settings(reset: "error"));
        consumer.Assign([Tp]);

        var e = Assert.Throws<ConsumeException>(() => consumer.Consume(TimeSpan.FromSeconds(1)));
        Assert.Contains("t-0", e.Message, StringComparison.Ordinal);
        Assert.Contains("auto.offset.reset", e.Message, StringComparison.Ordinal);
        Assert.Equal(Tp, e.TopicPartitionOffset.TopicPartition);

        consumer.Seek(new TopicPartitionOffset(Tp, 1)); // a seek resumes the partition
        Assert.Equal(1, consumer.Consume(TimeSpan.FromSeconds(5))!.Offset.Value);
    }

    [Theory]
    [InlineData("earliest", 15L)]
    [InlineData("latest", 20L)]
    [InlineData("error", -1L)]
    public async Task Consume_PositionDeletedByRetention_ResetsPerPolicy(string reset, long expected)
    {
        await using var broker = await BrokerWithTopicAsync();
        await ProduceAsync(broker, Tp, 20);
        using var consumer = broker.CreateConsumer<string, string>(Settings(reset: reset));
        consumer.Assign([new TopicPartitionOffset(Tp, 2)]);
        Assert.True(broker.TryGetPartitionLog(Tp, out var log));
        log.DeleteRecordsBefore(15);
        consumer.Seek(new TopicPartitionOffset(Tp, 3)); // below the new log start: allowed, reset when fetched

        if (expected < 0)
        {
            var e = Assert.Throws<ConsumeException>(() => consumer.Consume(TimeSpan.FromSeconds(5)));
            Assert.Contains("t-0", e.Message, StringComparison.Ordinal);
            Assert.Contains("out of range", e.Message, StringComparison.Ordinal);
            return;
        }

        await ProduceAsync(broker, Tp, 1, start: 20);
        var record = consumer.Consume(TimeSpan.FromSeconds(5));
        Assert.Equal(expected, record!.Offset.Value);
    }

    [Fact]
    public async Task Consume_PartitionEofEnabled_ReportedOncePerReachingEnd()
    {
        await using var broker = await BrokerWithTopicAsync();
        await ProduceAsync(broker, Tp, 3);
        using var consumer = broker.CreateConsumer<string, string>(Settings(eof: true, maxWaitMs: 50));
        consumer.Assign([Tp]);

        var seen = new List<ConsumeResult<string, string>>();
        for (int i = 0; i < 8; i++)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } r)
            {
                seen.Add(r);
            }
        }

        Assert.Equal(["t-0@0", "t-0@1", "t-0@2", "t-0@3 (end of partition)"], seen.Select(r => r.ToString()));
        Assert.True(seen[3].IsPartitionEOF);
        Assert.Null(seen[3].Message.Value);
        Assert.False(seen[3].Message.Timestamp.IsAvailable);

        await ProduceAsync(broker, Tp, 1, start: 3);
        Assert.Equal(3, consumer.Consume(TimeSpan.FromSeconds(5))!.Offset.Value);
        var end = consumer.Consume(TimeSpan.FromSeconds(5));
        Assert.True(end!.IsPartitionEOF);
        Assert.Equal(4, end.Offset.Value);
        Assert.Null(consumer.Consume(TimeSpan.FromMilliseconds(150)));
    }
}

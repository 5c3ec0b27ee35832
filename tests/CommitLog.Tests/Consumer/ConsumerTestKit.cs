using System.Collections.Concurrent;
using System.Globalization;
using CommitLog.Groups;

namespace CommitLog.Tests.Consumer;

/// <summary>Brokers, producing and consumer settings for the consumer tests.</summary>
internal static class ConsumerTestKit
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<CommitLog.Broker> BrokerWithTopicAsync(string topic = "t", int partitions = 1, TopicConfig? config = null)
    {
        var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync(topic, partitions, config, Ct);
        return broker;
    }

    public static ProducerConfig ProducerSettings(string compression = "none", int lingerMs = 0) => new(new Dictionary<string, string>
    {
        ["acks"] = "1",
        ["linger.ms"] = lingerMs.ToString(CultureInfo.InvariantCulture),
        ["compression.type"] = compression,
        ["enable.idempotence"] = "false",
    });

    public static ConsumerConfig Settings(
        string? groupId = null, string reset = "earliest", bool autoCommit = false, bool eof = false, int maxWaitMs = 500,
        int? maxPartitionFetchBytes = null, int? fetchMaxBytes = null, int minBytes = 1, int maxPollRecords = 500)
    {
        var settings = new Dictionary<string, string>
        {
            ["auto.offset.reset"] = reset,
            ["enable.auto.commit"] = autoCommit ? "true" : "false",
            ["enable.partition.eof"] = eof ? "true" : "false",
            ["fetch.max.wait.ms"] = maxWaitMs.ToString(CultureInfo.InvariantCulture),
            ["fetch.min.bytes"] = minBytes.ToString(CultureInfo.InvariantCulture),
            ["max.poll.records"] = maxPollRecords.ToString(CultureInfo.InvariantCulture),
        };
        if (groupId is not null)
        {
            settings["group.id"] = groupId;
        }

        if (maxPartitionFetchBytes is { } mpfb)
        {
            settings["max.partition.fetch.bytes"] = mpfb.ToString(CultureInfo.InvariantCulture);
        }

        if (fetchMaxBytes is { } fmb)
        {
            settings["fetch.max.bytes"] = fmb.ToString(CultureInfo.InvariantCulture);
        }

        return new ConsumerConfig(settings);
    }

    /// <summary>Produces <paramref name="count"/> string records <c>k{i}</c>/<c>v{i}</c> to one partition and waits for all.</summary>
    public static async Task ProduceAsync(CommitLog.Broker broker, TopicPartition tp, int count, int start = 0, string compression = "none")
    {
        await using var producer = broker.CreateProducer<string, string>(ProducerSettings(compression, lingerMs: compression == "none" ? 0 : 5));
        var pending = Enumerable.Range(start, count)
            .Select(i => producer.ProduceAsync(tp, new Message<string, string> { Key = $"k{i}", Value = $"v{i}" }, Ct).AsTask())
            .ToList();
        await Task.WhenAll(pending);
    }

    /// <summary>Consumes until <paramref name="count"/> records arrived (EOF notices skipped) or 10 s passed.</summary>
    public static List<ConsumeResult<TKey, TValue>> ConsumeRecords<TKey, TValue>(IConsumer<TKey, TValue> consumer, int count)
    {
        var results = new List<ConsumeResult<TKey, TValue>>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (results.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } r)
            {
                results.Add(r);
            }
        }

        return results;
    }
}

/// <summary>A committed-offset store in memory, checking what the real one checks (generation aside).</summary>
internal sealed class FakeGroupOffsets(CommitLog.Broker broker) : IGroupOffsets
{
    private readonly ConcurrentDictionary<(string Group, TopicPartition Partition), CommittedOffset> _offsets = new();

    public int Commits;

    public List<GroupGeneration> Generations { get; } = [];

    public ValueTask CommitAsync(string groupId, GroupGeneration generation, IReadOnlyList<OffsetCommit> offsets, CancellationToken cancellationToken = default)
    {
        foreach (OffsetCommit commit in offsets)
        {
            if (!broker.TryGetPartitionLog(commit.TopicPartition, out var log))
            {
                throw new InvalidOperationException($"unknown partition {commit.TopicPartition}");
            }

            ArgumentOutOfRangeException.ThrowIfNegative(commit.Offset);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(commit.Offset, log.LogEndOffset);
        }

        lock (Generations)
        {
            Generations.Add(generation);
        }

        foreach (OffsetCommit commit in offsets)
        {
            _offsets[(groupId, commit.TopicPartition)] = new CommittedOffset(commit.Offset, commit.LeaderEpoch, commit.Metadata, 0);
        }

        Interlocked.Increment(ref Commits);
        return ValueTask.CompletedTask;
    }

    public IReadOnlyDictionary<TopicPartition, CommittedOffset> Fetch(string groupId, IReadOnlyCollection<TopicPartition>? partitions = null)
        => _offsets.Where(e => e.Key.Group == groupId && (partitions is null || partitions.Contains(e.Key.Partition)))
            .ToDictionary(e => e.Key.Partition, e => e.Value);

    public long? Get(string groupId, TopicPartition tp) => _offsets.TryGetValue((groupId, tp), out var c) ? c.Offset : null;
}

using CommitLog.Groups;
using CommitLog.Storage;
using Microsoft.Extensions.Logging;

namespace CommitLog;

/// <summary>
/// The consumer: a <see cref="PartitionFetcher"/> per assigned partition reads ahead; <c>Consume</c> decodes and
/// deserializes the next record of any partition with data, waiting on one shared signal the fetchers raise.
/// </summary>
/// <remarks>State is guarded by <see cref="_gate"/>; no lock is held while waiting or while user handlers run.</remarks>
internal sealed partial class Consumer<TKey, TValue> : IConsumer<TKey, TValue>, ConsumerMetrics.ILagSource
{
    private static int s_instances;
    private readonly Broker _broker;
    private readonly ConsumerConfig _config;
    private readonly ConsumerSettings _settings;
    private readonly IDeserializer<TKey?> _keyDeserializer;
    private readonly IDeserializer<TValue?> _valueDeserializer;
    private readonly ConsumerHandlers<TKey, TValue> _handlers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly FetchSettings _fetchSettings;
    private readonly Lock _gate = new();
    private readonly DataSignal _signal = new();
    private readonly Dictionary<TopicPartition, PartitionFetcher> _fetchers = [];
    private readonly List<PartitionFetcher> _order = [];
    private int _cursor;
    private int _closed;

    public Consumer(
        Broker broker, ConsumerSettings settings, IDeserializer<TKey?> keyDeserializer, IDeserializer<TValue?> valueDeserializer,
        ConsumerHandlers<TKey, TValue> handlers)
    {
        _broker = broker;
        _settings = settings;
        _config = settings.Config;
        _keyDeserializer = keyDeserializer;
        _valueDeserializer = valueDeserializer;
        _handlers = handlers;
        _time = settings.TimeProvider;
        _logger = settings.LoggerFactory.CreateLogger("CommitLog.Consumer");
        _fetchSettings = new FetchSettings(
            Math.Min(_config.MaxPartitionFetchBytes, _config.FetchMaxBytes), _config.FetchMinBytes, _config.FetchMaxWaitMs,
            _config.EnablePartitionEof, _config.AutoOffsetReset, _time);
        Budget = new FetchBudget(_config.FetchMaxBytes);
        int instance = Interlocked.Increment(ref s_instances);
        Name = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{(_config.ClientId.Length > 0 ? _config.ClientId : "commitlog")}#consumer-{instance}");
        StartAutoCommit();
        ConsumerMetrics.Register(this);
        ConsumerLogMessages.Started(_logger, Name, _config.GroupId ?? "", _config.AutoOffsetReset, _config.EnableAutoCommit);
    }

    public string Name { get; }

    public string ClientId => _config.ClientId;

    public string MemberId => _membership?.Generation.MemberId ?? string.Empty;

    public IReadOnlyList<TopicPartition> Assignment
    {
        get
        {
            lock (_gate)
            {
                return [.. _order.Select(f => f.TopicPartition)];
            }
        }
    }

    /// <summary>Gets the prefetch budget (for tests: bytes held must stay within <c>fetch.max.bytes</c>).</summary>
    internal FetchBudget Budget { get; }

    /// <summary>Gets the group id, or empty.</summary>
    internal string GroupId => _config.GroupId ?? string.Empty;

    string ConsumerMetrics.ILagSource.GroupName => GroupId;

    IReadOnlyList<(TopicPartition Partition, long Lag)> ConsumerMetrics.ILagSource.SampleLag()
    {
        lock (_gate)
        {
            return [.. _order.Select(f => (f.TopicPartition, f.Lag))];
        }
    }

    public void Assign(IEnumerable<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        Assign(partitions.Select(tp => new TopicPartitionOffset(tp, Offset.Unset)));
    }

    public void Assign(IEnumerable<TopicPartitionOffset> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var list = partitions.ToList();
        lock (_gate)
        {
            ThrowIfClosed();
            ThrowIfSubscribed(nameof(Assign));
            var starts = ResolveStarts(list, allowAssigned: true);
            StopFetchers(_order.ToList());
            StartFetchers(starts);
        }
    }

    public void IncrementalAssign(IEnumerable<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        IncrementalAssign(partitions.Select(tp => new TopicPartitionOffset(tp, Offset.Unset)));
    }

    public void IncrementalAssign(IEnumerable<TopicPartitionOffset> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var list = partitions.ToList();
        lock (_gate)
        {
            ThrowIfClosed();
            ThrowIfSubscribed(nameof(IncrementalAssign));
            StartFetchers(ResolveStarts(list, allowAssigned: false));
        }
    }

    public void IncrementalUnassign(IEnumerable<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var list = partitions.ToList();
        lock (_gate)
        {
            ThrowIfClosed();
            ThrowIfSubscribed(nameof(IncrementalUnassign));
            var fetchers = list.Select(tp => _fetchers.TryGetValue(tp, out var f) ? f : throw new ArgumentException(
                $"Partition {tp} is not assigned, so it cannot be unassigned; assigned: {DescribeAssignment()}.", nameof(partitions))).ToList();
            StopFetchers(fetchers);
        }
    }

    public void Unassign()
    {
        lock (_gate)
        {
            ThrowIfClosed();
            ThrowIfSubscribed(nameof(Unassign));
            StopFetchers(_order.ToList());
        }
    }

    /// <summary>Checks the partitions and resolves where each starts; throws before anything changes.</summary>
    private List<(TopicPartition Partition, long Offset, Exception? Error)> ResolveStarts(List<TopicPartitionOffset> requested, bool allowAssigned)
    {
        var seen = new HashSet<TopicPartition>();
        var committed = LookUpCommitted(requested.Where(r => r.Offset == Offset.Stored || r.Offset == Offset.Unset).Select(r => r.TopicPartition).ToList());
        var starts = new List<(TopicPartition, long, Exception?)>(requested.Count);
        foreach (TopicPartitionOffset request in requested)
        {
            TopicPartition tp = request.TopicPartition;
            if (!seen.Add(tp))
            {
                throw new ArgumentException($"Partition {tp} is listed twice; list each partition once.", nameof(requested));
            }

            if (!allowAssigned && _fetchers.ContainsKey(tp))
            {
                throw new ArgumentException($"Partition {tp} is already assigned; use Seek to move its position.", nameof(requested));
            }

            PartitionLog log = GetLog(tp);
            starts.Add(request.Offset.Value switch
            {
                var o when o == Offset.Beginning.Value => (tp, log.LogStartOffset, null),
                var o when o == Offset.End.Value => (tp, log.HighWatermark, null),
                var o when o == Offset.Stored.Value || o == Offset.Unset.Value => committed.TryGetValue(tp, out CommittedOffset c)
                    ? (tp, c.Offset, null)
                    : ResetStart(tp, log),
                >= 0 => (tp, CheckOffset(tp, request.Offset, log, "start at"), null),
                _ => throw new ArgumentOutOfRangeException(nameof(requested), request.Offset,
                    $"Partition {tp}: {request.Offset} is not a valid starting offset; use an offset >= 0, Offset.Beginning, Offset.End or Offset.Stored."),
            });
        }

        return starts;
    }

    private (TopicPartition, long, Exception?) ResetStart(TopicPartition tp, PartitionLog log) => _config.AutoOffsetReset switch
    {
        AutoOffsetReset.Earliest => (tp, log.LogStartOffset, null),
        AutoOffsetReset.Latest => (tp, log.HighWatermark, null),
        _ => (tp, -1, new ConsumeException(ErrorCode.OffsetOutOfRange, new TopicPartitionOffset(tp, Offset.Unset),
            $"Partition {tp} has no committed offset{(_config.GroupId is { } g ? $" for group '{g}'" : " (no group.id)")} and auto.offset.reset " +
            "is 'error'; Seek to an offset (or set auto.offset.reset to earliest or latest) to consume it.")),
    };

    /// <summary>Checks that an offset is within [0, log end] of a partition; returns it.</summary>
    private static long CheckOffset(TopicPartition tp, long offset, PartitionLog log, string action)
    {
        long end = log.HighWatermark;
        return offset >= 0 && offset <= end
            ? offset
            : throw new ArgumentOutOfRangeException(nameof(offset), offset,
                $"Cannot {action} offset {offset} of partition {tp}: allowed is 0 to the log end offset {end} " +
                $"(the log start offset is {log.LogStartOffset}).");
    }

    private PartitionLog GetLog(TopicPartition tp)
    {
        ArgumentNullException.ThrowIfNull(tp.Topic, nameof(tp));
        if (_broker.TryGetPartitionLog(tp, out PartitionLog? log))
        {
            return log;
        }

        return _broker.TryGetPartitionCount(tp.Topic, out int count)
            ? throw new UnknownTopicOrPartitionException(tp.Topic, tp.Partition.Value,
                $"Topic '{tp.Topic}' has no partition {tp.Partition.Value}; its partitions are 0 to {count - 1}.")
            : throw new UnknownTopicOrPartitionException(tp.Topic, tp.Partition.Value, $"Topic '{tp.Topic}' does not exist.");
    }

    private void StartFetchers(List<(TopicPartition Partition, long Offset, Exception? Error)> starts)
    {
        foreach (var (tp, offset, error) in starts)
        {
            if (!_fetchers.TryGetValue(tp, out PartitionFetcher? fetcher))
            {
                fetcher = new PartitionFetcher(tp, _broker, _fetchSettings, Budget, _signal, _logger);
                _fetchers.Add(tp, fetcher);
                _order.Add(fetcher);
            }

            fetcher.Start(offset, error);
        }

        if (starts.Count > 0)
        {
            ConsumerLogMessages.Assigned(_logger, Name, starts.Count, DescribeAssignment());
        }
    }

    private List<Task> StopFetchers(IReadOnlyCollection<PartitionFetcher> fetchers)
    {
        var loops = new List<Task>(fetchers.Count);
        foreach (PartitionFetcher fetcher in fetchers)
        {
            loops.Add(fetcher.Stop());
            _fetchers.Remove(fetcher.TopicPartition);
            _order.Remove(fetcher);
        }

        _cursor = 0;
        return loops;
    }

    private PartitionFetcher GetAssigned(TopicPartition tp, string action)
        => _fetchers.TryGetValue(tp, out PartitionFetcher? fetcher)
            ? fetcher
            : throw new InvalidOperationException(
                $"Cannot {action} partition {tp}: it is not assigned to this consumer; assigned: {DescribeAssignment()}.");

    private string DescribeAssignment() => _order.Count == 0 ? "none" : string.Join(", ", _order.Select(f => f.TopicPartition));

    private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _closed) != 0, this);
}

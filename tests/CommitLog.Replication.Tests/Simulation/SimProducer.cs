using CommitLog.Replication.Protocol;
using CommitLog.Storage;

namespace CommitLog.Replication.Tests.Simulation;

/// <summary>
/// An idempotent producer with one batch in flight, acks=all: it sends each batch to whatever node the controller
/// names leader, retries with the same producer id, epoch and sequence on any error or silence, and moves on only
/// after an acknowledgement. Every record value is unique, so the checker can find each one.
/// </summary>
internal sealed class SimProducer
{
    private readonly SimScheduler _scheduler;
    private readonly SimNetwork _network;
    private readonly SimController _controller;
    private readonly Random _random;
    private readonly TopicPartition _partition;
    private readonly int _batches;
    private int _sequence;
    private int _batchIndex;
    private byte[] _batch = [];
    private string[] _values = [];
    private int _correlation;
    private int _inFlight = -1;
    private string _lastError = "none";

    public SimProducer(int id, TopicPartition partition, int batches, SimScheduler scheduler, SimNetwork network, SimController controller, Random random)
    {
        Id = id;
        _partition = partition;
        _batches = batches;
        _scheduler = scheduler;
        _network = network;
        _controller = controller;
        _random = random;
        network.Attach(id, Receive);
    }

    public int Id { get; }

    public bool Done => _batchIndex >= _batches;

    /// <summary>Gets every acknowledged record: value, partition and offset.</summary>
    public List<(string Value, TopicPartition Partition, long Offset)> Acknowledged { get; } = [];

    public List<string> Anomalies { get; } = [];

    public int Retries { get; private set; }

    /// <summary>What the producer still waits for (for a liveness failure).</summary>
    public string Describe()
        => $"producer {Id} on {_partition}: batch {_batchIndex} of {_batches} (sequence {_sequence}) not acknowledged, {Retries} retries, last error {_lastError}";

    public void Start()
    {
        NextBatch();
        _scheduler.After(_random.Next(50), Send);
    }

    private void NextBatch()
    {
        var count = 1 + _random.Next(3);
        _values = [.. Enumerable.Range(0, count).Select(i => $"p{Id}-b{_batchIndex}-r{i}")];
        using var builder = new RecordBatchBuilder { ProducerId = 1000 + Id, ProducerEpoch = 0, BaseSequence = _sequence };
        foreach (var value in _values)
        {
            builder.Append(1_700_000_000_000, null, System.Text.Encoding.UTF8.GetBytes(value));
        }

        _batch = builder.ToArray();
    }

    private void Send()
    {
        if (Done)
        {
            return;
        }

        var leader = _controller.Metadata.Partitions.TryGetValue(_partition, out var state) ? state.Leader : -1;
        if (leader < 0)
        {
            _scheduler.After(50, Send);
            return;
        }

        var correlation = ++_correlation;
        _inFlight = correlation;
        _network.Send(Id, leader, new ProduceRequest(correlation, _partition.Topic, _partition.Partition, ProduceRequest.AcksAll, 1000, _batch));
        _scheduler.After(1500, () =>
        {
            if (_inFlight == correlation)
            {
                _lastError = $"no answer from node {leader} by {_scheduler.Now} ms";
                Retry();
            }
        });
    }

    private void Retry()
    {
        _inFlight = -1;
        Retries++;
        _scheduler.After(20 + _random.Next(80), Send);
    }

    private void Receive(int from, object message)
    {
        if (message is not ProduceResponse response || response.CorrelationId != _inFlight)
        {
            return;
        }

        if (response.Error != ReplicationErrorCode.None)
        {
            _lastError = $"{response.Error} from node {from} at {_scheduler.Now} ms";
            if (response.Error is ReplicationErrorCode.OutOfOrderSequenceNumber or ReplicationErrorCode.InvalidProducerEpoch or ReplicationErrorCode.CorruptMessage)
            {
                Anomalies.Add($"producer {Id} batch {_batchIndex} (sequence {_sequence}) got {response.Error} from node {from} at {_scheduler.Now} ms");
            }

            Retry();
            return;
        }

        for (var i = 0; i < _values.Length; i++)
        {
            Acknowledged.Add((_values[i], _partition, response.BaseOffset + i));
        }

        _inFlight = -1;
        _sequence += _values.Length;
        _batchIndex++;
        if (!Done)
        {
            NextBatch();
            _scheduler.After(_random.Next(100), Send);
        }
    }
}

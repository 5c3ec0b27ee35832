using System.Collections.Concurrent;
using System.Globalization;
using CommitLog.Replication.Cluster;
using CommitLog.Storage;

namespace CommitLog.ClusterChild;

/// <summary>
/// The consume mode of the cluster child (tests/CommitLog.IntegrationTests/Cluster/ClusterCoordinatorKillTests.cs): one
/// member of a consumer group on this node, subscribed to the topic, committing (synchronously) every
/// <c>commitEvery</c> records and whenever it reaches the end of a partition with uncommitted records. Lines (each one
/// write, like tests/CommitLog.GroupChild):
/// <c>ASSIGNED|REVOKED|LOST &lt;partitions joined by ,&gt;</c> from the rebalance callbacks,
/// <c>GOT &lt;partition&gt; &lt;offset&gt;</c> for every record handed to the application,
/// <c>COMMITTED &lt;partition&gt; &lt;offset&gt;</c> for every offset of a commit that completed,
/// <c>COMMITFAIL &lt;error&gt;</c> and <c>CONSUMEFAIL &lt;error&gt;</c> for failures (the member carries on),
/// and on <see cref="ReportOffsets"/> <c>OFFSET &lt;partition&gt; &lt;offset&gt;</c> per partition then <c>OFFSETS</c>
/// (the group's committed offsets as this node's replica of the offsets topic holds them).
/// </summary>
internal sealed class GroupConsumer(ClusterNode node, string topic, string group, int commitEvery, int paceMicroseconds, Action<string> print)
{
    private static readonly TimeSpan CommitRetry = TimeSpan.FromMilliseconds(200);
    private readonly ConcurrentQueue<string> _commands = new();
    private volatile int _pace = paceMicroseconds;

    /// <summary>Sets the pause after each record, in microseconds (0: none).</summary>
    public void SetPace(int microseconds) => _pace = microseconds;

    /// <summary>Asks the consuming thread to print the committed offsets of every partition of the topic.</summary>
    public void ReportOffsets() => _commands.Enqueue("OFFSETS");

    /// <summary>Consumes on a thread of its own until <paramref name="stop"/>, then closes the consumer (leaving the group).</summary>
    public Task RunAsync(CancellationToken stop) => Task.Factory.StartNew(() => Run(stop), CancellationToken.None,
        TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stop)
    {
        var config = new ConsumerConfig(new Dictionary<string, string>
        {
            ["group.id"] = group,
            ["client.id"] = "member-on-node-" + node.Broker.NodeId.ToString(CultureInfo.InvariantCulture),
            ["auto.offset.reset"] = "earliest",
            ["enable.auto.commit"] = "false",
            ["enable.partition.eof"] = "true",
            ["session.timeout.ms"] = "6000",
            ["heartbeat.interval.ms"] = "300",
            ["max.poll.interval.ms"] = "40000",
        });
        using var consumer = new ConsumerBuilder<Null, string>(node.Broker, config)
            .SetPartitionsAssignedHandler((_, p) => print("ASSIGNED " + Join(p)))
            .SetPartitionsRevokedHandler((_, p) => print("REVOKED " + Join(p)))
            .SetPartitionsLostHandler((_, p) => print("LOST " + Join(p)))
            .Build();
        consumer.Subscribe(topic);
        print("CONSUMING");
        var sinceCommit = 0;
        var dirty = false;
        var lastAttempt = DateTime.MinValue;
        while (!stop.IsCancellationRequested)
        {
            while (_commands.TryDequeue(out _))
            {
                var count = node.Broker.Admin.DescribeTopicAsync(topic, stop).AsTask().GetAwaiter().GetResult().Partitions.Count;
                var partitions = Enumerable.Range(0, count).Select(p => new TopicPartition(topic, p));
                foreach (var committed in consumer.Committed(partitions, TimeSpan.FromSeconds(5)))
                {
                    print(string.Create(CultureInfo.InvariantCulture, $"OFFSET {committed.Partition.Value} {committed.Offset.Value}"));
                }

                print("OFFSETS");
            }

            ConsumeResult<Null, string>? result;
            try
            {
                result = consumer.Consume(TimeSpan.FromMilliseconds(50));
            }
            catch (CommitLogException e)
            {
                print($"CONSUMEFAIL {e.ErrorCode} {e.Message.ReplaceLineEndings(" ")}");
                continue;
            }

            if (result is null || result.IsPartitionEOF)
            {
                // At a partition's end (or idle) commit what is left; a failed commit is retried while idle.
                if (dirty && (result is not null || DateTime.UtcNow - lastAttempt > CommitRetry))
                {
                    Commit();
                }

                continue;
            }

            print(string.Create(CultureInfo.InvariantCulture, $"GOT {result.Partition.Value} {result.Offset.Value}"));
            dirty = true;
            if (++sinceCommit >= commitEvery)
            {
                Commit();
            }

            if (_pace > 0)
            {
                Thread.Sleep(TimeSpan.FromMicroseconds(_pace));
            }
        }

        consumer.Close();

        void Commit()
        {
            sinceCommit = 0;
            lastAttempt = DateTime.UtcNow;
            try
            {
                foreach (var committed in consumer.Commit())
                {
                    print(string.Create(CultureInfo.InvariantCulture, $"COMMITTED {committed.Partition.Value} {committed.Offset.Value}"));
                }

                dirty = false;
            }
            catch (Exception e) when (e is CommitLogException or InvalidOperationException)
            {
                print($"COMMITFAIL {(e as CommitLogException)?.ErrorCode} {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            }
        }
    }

    private static string Join(IReadOnlyList<TopicPartition> partitions)
        => string.Join(",", partitions.Select(p => p.Partition.Value.ToString(CultureInfo.InvariantCulture)));
}

using System.Globalization;
using System.Text;
using CommitLog;
using CommitLog.Storage;

// The consumer-group crash child. Arguments are key=value: dir, topic, group, mode (produce | consume), and for produce
// partitions and count, for consume commit-every. Protocol on stdout, one line per event, each written with a single
// write() so a kill never leaves half a line that looks whole (the parent drops a last line without its newline):
//   PRODUCED <count>               produce mode: every record was acknowledged (flushed) and the broker closed
//   OPEN group                     consume mode: the broker is open and the consumer subscribed
//   GOT <partition> <offset>       a record was handed to the application
//   COMMITTED <partition> <offset> a commit completed: the group resumes at <offset> (the next record to consume)
//   DONE                           every partition was consumed to its end and committed; closed cleanly
var settings = args.Select(a => a.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
string dir = settings["dir"];
string topic = settings["topic"];
using var stdout = Console.OpenStandardOutput();

void Line(string text)
{
    byte[] bytes = Encoding.ASCII.GetBytes(text + "\n");
    stdout.Write(bytes);
    stdout.Flush();
}

var options = new BrokerOptions { GroupInitialRebalanceDelay = TimeSpan.Zero };
await using var broker = await Broker.OpenAsync(dir, options);
if (settings["mode"] == "produce")
{
    int partitions = int.Parse(settings["partitions"], CultureInfo.InvariantCulture);
    int count = int.Parse(settings["count"], CultureInfo.InvariantCulture);
    await broker.Admin.CreateTopicAsync(topic, partitions, new TopicConfig { FlushPolicy = FlushPolicy.BeforeAck });
    await using (var producer = broker.CreateProducer<string, string>(new ProducerConfig { LingerMs = TimeSpan.FromMilliseconds(1) }))
    {
        var pending = Enumerable.Range(0, count)
            .Select(i => producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i}", Value = $"v{i}" }).AsTask())
            .ToList();
        await Task.WhenAll(pending);
    }

    Line($"PRODUCED {count}");
    return 0;
}

int commitEvery = int.Parse(settings["commit-every"], CultureInfo.InvariantCulture);
var config = new ConsumerConfig
{
    GroupId = settings["group"],
    AutoOffsetReset = AutoOffsetReset.Earliest,
    EnableAutoCommit = false,
    EnablePartitionEof = true,
    SessionTimeoutMs = TimeSpan.FromSeconds(10),
    HeartbeatIntervalMs = TimeSpan.FromSeconds(1),
};
await using var consumer = broker.CreateConsumer<string, string>(config);
consumer.Subscribe(topic);
Line("OPEN group");
int sinceCommit = 0;
var atEnd = new HashSet<int>();
int partitionCount = (await broker.Admin.DescribeTopicAsync(topic)).Partitions.Count;
await foreach (var result in consumer.ConsumeAsync())
{
    if (result.IsPartitionEOF)
    {
        atEnd.Add(result.Partition.Value);
        if (atEnd.Count == partitionCount)
        {
            await CommitAsync();
            consumer.Close();
            Line("DONE");
            return 0;
        }

        continue;
    }

    atEnd.Remove(result.Partition.Value);
    Line($"GOT {result.Partition.Value} {result.Offset.Value}");
    if (++sinceCommit >= commitEvery)
    {
        await CommitAsync();
    }
}

return 1;

async Task CommitAsync()
{
    sinceCommit = 0;
    foreach (TopicPartitionOffset committed in await consumer.CommitAsync())
    {
        Line($"COMMITTED {committed.Partition.Value} {committed.Offset.Value}");
    }
}

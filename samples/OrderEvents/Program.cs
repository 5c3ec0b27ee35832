// OrderEvents: the seed scenario. An `order-events` topic with 3 partitions, events keyed by user id, produced with
// the seed's producer settings. One user's events always land on the same partition, so they stay in order; and
// everything acknowledged survives a restart. After a restart, a group of 3 consumers shares the partitions, commits,
// and shows the lag table (kafka-consumer-groups --describe).
//
//   dotnet run --project samples/OrderEvents            (data goes to ./data/order-events-sample)
//   dotnet run --project samples/OrderEvents -- <dir>   (or any directory you choose)
// Run it twice: the second run adds to what the first one stored.
using CommitLog;
using CommitLog.Storage;

string dataDirectory = Path.GetFullPath(args.Length > 0 ? args[0] : Path.Combine("data", "order-events-sample"));
string[] users = ["alice", "bob", "carol", "dave"];
string[] steps = ["created", "paid", "packed", "shipped"];

await using (var broker = await Broker.OpenAsync(dataDirectory))
{
    if (!(await broker.Admin.ListTopicsAsync()).Contains("order-events"))
    {
        await broker.Admin.CreateTopicAsync("order-events", partitions: 3, new TopicConfig
        {
            RetentionMs = TimeSpan.FromDays(7),
            FlushPolicy = FlushPolicy.BeforeAck, // flushed before acknowledged: survives power loss, group-committed
        });
    }

    // The seed's producer block, unchanged keys and values.
    var config = new ProducerConfig(new Dictionary<string, string>
    {
        ["acks"] = "all",
        ["enable.idempotence"] = "true",
        ["retries"] = "2147483647",
        ["max.in.flight.requests.per.connection"] = "5",
        ["batch.size"] = "32768",
        ["linger.ms"] = "10",
        ["compression.type"] = "lz4",
        ["buffer.memory"] = "33554432",
        ["delivery.timeout.ms"] = "120000",
        ["request.timeout.ms"] = "30000",
    });
    await using var producer = broker.CreateProducer<string, OrderEvent>(config, valueSerializer: Serializers.Json<OrderEvent>());

    // Send every event without waiting for the previous one; the producer batches them per partition.
    var sends = new List<Task<DeliveryResult<string, OrderEvent>>>();
    string run = DateTimeOffset.UtcNow.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
    foreach (string step in steps)
    {
        foreach (string user in users)
        {
            var evt = new OrderEvent(user, $"order-{user}-{run}", step);
            sends.Add(producer.ProduceAsync("order-events", new Message<string, OrderEvent> { Key = user, Value = evt }).AsTask());
        }
    }

    foreach (DeliveryResult<string, OrderEvent> result in await Task.WhenAll(sends))
    {
        Console.WriteLine($"{result.Key,-6} {result.Value!.Step,-8} -> {result.TopicPartitionOffset} ({result.Durability})");
    }
}

// The broker is closed: a "restart". Reopen it and let a group of 3 consumers share the partitions: each partition
// goes to one member, so each user's events are handled by one consumer, in order. The group commits as it goes and
// resumes from its committed offsets on the next run.
Console.WriteLine();
Console.WriteLine($"After the restart, a group of 3 consumers reads {dataDirectory}:");
const string Group = "order-processors";
var lastStep = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
int outOfOrder = 0;
await using (var broker = await Broker.OpenAsync(dataDirectory))
{
    await PrintLagAsync(broker, "before consuming");
    using var stop = new CancellationTokenSource();
    var members = Enumerable.Range(1, 3).Select(i => Task.Run(() => RunConsumerAsync(broker, i, stop.Token))).ToArray();
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
    while (await RemainingAsync(broker) > 0)
    {
        await Task.Delay(100, timeout.Token);
    }

    await PrintLagAsync(broker, "after consuming (members still in the group)");
    await stop.CancelAsync();
    await Task.WhenAll(members);
}

Console.WriteLine(outOfOrder == 0
    ? "Every user's events were consumed in the order they were produced, each by one member of the group."
    : $"ORDER VIOLATED {outOfOrder} times");
return outOfOrder == 0 ? 0 : 1;

async Task RunConsumerAsync(Broker broker, int member, CancellationToken stopToken)
{
    var config = new ConsumerConfig(new Dictionary<string, string>
    {
        ["group.id"] = Group,
        ["client.id"] = $"processor-{member}",
        ["auto.offset.reset"] = "earliest",
        ["enable.auto.commit"] = "false",
    });
    await using var consumer = broker.CreateConsumer<string, OrderEvent>(config, Deserializers.Json<OrderEvent>());
    consumer.Subscribe("order-events");
    int handled = 0;
    while (!stopToken.IsCancellationRequested)
    {
        ConsumeResult<string, OrderEvent>? record = consumer.Consume(TimeSpan.FromMilliseconds(100));
        if (record is null)
        {
            await consumer.CommitAsync(CancellationToken.None); // the offsets stored below, with this member's generation
            continue;
        }

        // Each run appends created, paid, packed, shipped per user: each event must follow the previous one.
        string step = record.Message.Value!.Step;
        if (lastStep.TryGetValue(record.Message.Key!, out string? previous) && step != steps[(Array.IndexOf(steps, previous) + 1) % steps.Length])
        {
            Interlocked.Increment(ref outOfOrder);
        }

        lastStep[record.Message.Key!] = step;
        consumer.StoreOffset(record);
        handled++;
    }

    Console.WriteLine($"  processor-{member}: handled {handled} events from {string.Join(", ", consumer.Assignment)}");
    consumer.Close();
}

static async Task<long> RemainingAsync(Broker broker)
{
    TopicDescription topic = await broker.Admin.DescribeTopicAsync("order-events");
    ConsumerGroupDescription group = await broker.Admin.DescribeConsumerGroupAsync(Group);
    return topic.Partitions.Sum(p =>
        p.LogEndOffset - (group.Partitions.FirstOrDefault(g => g.Partition == p.Partition)?.CurrentOffset ?? 0));
}

static async Task PrintLagAsync(Broker broker, string when)
{
    // The columns of kafka-consumer-groups --describe.
    ConsumerGroupDescription group = await broker.Admin.DescribeConsumerGroupAsync(Group);
    Console.WriteLine($"  {Group} {when}: {group.State}, {group.Members.Count} members, total lag {group.TotalLag}");
    Console.WriteLine($"  {"TOPIC",-13} {"PARTITION",9} {"CURRENT-OFFSET",14} {"LOG-END-OFFSET",14} {"LAG",5}  {"CONSUMER-ID",-40} CLIENT-ID");
    foreach (GroupPartitionLag p in group.Partitions)
    {
        Console.WriteLine($"  {p.Topic,-13} {p.Partition,9} {p.CurrentOffset?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",14} " +
            $"{p.LogEndOffset,14} {p.Lag?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",5}  {p.ConsumerId ?? "-",-40} {p.ClientId ?? "-"}");
    }
}

/// <summary>An event in an order's life.</summary>
internal sealed record OrderEvent(string UserId, string OrderId, string Step);

// OrderEvents: the seed scenario. An `order-events` topic with 3 partitions, events keyed by user id, produced with
// the seed's producer settings. One user's events always land on the same partition, so they stay in order; and
// everything acknowledged survives a restart.
//
//   dotnet run --project samples/OrderEvents            (data goes to ./data/order-events-sample)
//   dotnet run --project samples/OrderEvents -- <dir>   (or any directory you choose)
// Run it twice: the second run adds to what the first one stored.
using System.Text;
using System.Text.Json;
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

// The broker is closed: a "restart". Read each partition straight from disk and show every user's events in order.
Console.WriteLine();
Console.WriteLine($"After the restart, from {dataDirectory}:");
bool inOrder = true;
for (int partition = 0; partition < 3; partition++)
{
    await using var log = PartitionLog.Open(Path.Combine(dataDirectory, $"order-events-{partition}"));
    var byUser = new Dictionary<string, List<string>>();
    for (long offset = log.LogStartOffset; offset < log.LogEndOffset;)
    {
        using LogReadResult read = log.Read(offset, 1 << 20);
        foreach (RecordBatch batch in RecordBatch.ReadAll(read.Records))
        {
            foreach (Record record in batch.ToList())
            {
                string user = Encoding.UTF8.GetString(record.Key!.Value.Span);
                var evt = JsonSerializer.Deserialize<OrderEvent>(record.Value!.Value.Span)!;
                (byUser.TryGetValue(user, out var list) ? list : byUser[user] = []).Add(evt.Step);
            }

            offset = batch.Header.LastOffset + 1;
        }
    }

    foreach ((string user, List<string> events) in byUser)
    {
        // Every run appends created, paid, packed, shipped for each user: the partition must hold them in that order.
        bool ordered = events.Select((step, i) => step == steps[i % steps.Length]).All(ok => ok);
        inOrder &= ordered;
        Console.WriteLine($"  partition {partition}: {user,-6} {events.Count,3} events, in order: {ordered}");
    }
}

Console.WriteLine(inOrder ? "Every user's events are on one partition, in the order they were produced." : "ORDER VIOLATED");
return inOrder ? 0 : 1;

/// <summary>An event in an order's life.</summary>
internal sealed record OrderEvent(string UserId, string OrderId, string Step);

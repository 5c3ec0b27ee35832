using System.Globalization;
using CommitLog;
using CommitLog.ClusterChild;
using CommitLog.Replication.Cluster;
using CommitLog.Replication.Transport;
using CommitLog.Replication.Tcp;

// One cluster node over TCP with an acks=all idempotent producer (mode=controller runs the test's controller instead, see
// ControllerProgram). Arguments (key=value): node, dir, listen, controller, secret (hex), topic, run (makes this
// incarnation's values unique), inflight (records in flight, default 8); with control=raft also members and certs (see
// RaftPlane) instead of controller. It prints every metadata version it applies as a META line (see MetaLine) and
// creates a topic on "CREATE <topic> <partitions> <replicas> <min.insync>".
// Prints "OPEN <node>" once started, "ACK <value> <partition> <offset>" for every acknowledged record, "ERR <value> <error>"
// for a record that failed, "PAUSED" once a "PAUSE" line on stdin stopped the producer (its records all answered), and
// "DONE" after a clean stop; a line "STOP" on stdin stops it cleanly. count=<n> stops the producer after n records (it then
// prints PAUSED). With group=<id> the node also runs a member of that consumer group (see GroupConsumer; commitevery,
// default 20, and pace, microseconds slept per record, default 0), started by a line "CONSUME" on stdin or at once with
// consume=now; "OFFSETS" on stdin makes it print the group's committed offsets, "PACE <microseconds>" changes the pace;
// META lines then carry the coordinator.
var options = args.Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
var secret = Convert.FromHexString(options["secret"]);
var topic = options.GetValueOrDefault("topic", "");
var run = options.GetValueOrDefault("run", "0");
var inFlight = options.TryGetValue("inflight", out var f) ? int.Parse(f, CultureInfo.InvariantCulture) : 8;
var count = options.TryGetValue("count", out var c) ? int.Parse(c, CultureInfo.InvariantCulture) : int.MaxValue;
var group = options.GetValueOrDefault("group");
var deadPeer = TimeSpan.FromMilliseconds(1500);
using var output = Console.OpenStandardOutput();
void Print(string line)
{
    // One write per line, so a kill never leaves half a line that looks whole.
    var bytes = System.Text.Encoding.UTF8.GetBytes(line + "\n");
    lock (output)
    {
        output.Write(bytes);
        output.Flush();
    }
}

if (options.TryGetValue("mode", out var mode) && mode == "controller")
{
    return await ControllerProgram.RunAsync(secret, Print);
}

var nodeId = int.Parse(options["node"], CultureInfo.InvariantCulture);
using var stop = new CancellationTokenSource();
using var pause = new CancellationTokenSource();
var started = new TaskCompletionSource<ClusterNode>(TaskCreationOptions.RunContinuationsAsynchronously);
var consume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
GroupConsumer? member = null;
int? pace = null;
_ = Task.Run(async () =>
{
    while (await Console.In.ReadLineAsync() is { } line)
    {
        if (line == "PAUSE")
        {
            await pause.CancelAsync();
        }
        else if (line.StartsWith("CREATE ", StringComparison.Ordinal))
        {
            // CREATE <topic> <partitions> <replicas> <min.insync>, answered CREATED or REFUSED.
            var parts = line.Split(' ');
            var created = await started.Task;
            try
            {
                await created.CreateTopicAsync(parts[1], Int(parts[2]), Int(parts[3]), Int(parts[4]), cancellationToken: stop.Token);
                Print("CREATED");
            }
#pragma warning disable CA1031 // Reported to the parent.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Print($"REFUSED {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            }
        }
        else if (line == "CONSUME")
        {
            consume.TrySetResult();
        }
        else if (line == "OFFSETS")
        {
            member?.ReportOffsets();
        }
        else if (line.StartsWith("PACE ", StringComparison.Ordinal))
        {
            pace = Int(line["PACE ".Length..]);
            member?.SetPace(pace.Value);
        }
        else if (line == "STOP")
        {
            break;
        }
    }

    await pause.CancelAsync();
    await stop.CancelAsync();
});

ClusterNode? node = null;
TcpTransport? transport = null;
for (var attempt = 0; node is null; attempt++)
{
    transport = new TcpTransport(new TcpTransportOptions
    {
        NodeId = nodeId.ToString(CultureInfo.InvariantCulture),
        ClusterSecret = secret,
        KeepAliveInterval = deadPeer / 5,
        DeadPeerTimeout = deadPeer,
        ReconnectInitialDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(300),
    });
    try
    {
        node = await ClusterNode.StartAsync(new ClusterNodeOptions
        {
            NodeId = nodeId,
            DataDirectory = options["dir"],
            ListenAddress = options["listen"],
            Transport = transport,
            ControlPlane = options.GetValueOrDefault("control") == "raft"
                ? RaftPlane.Create(nodeId, RaftPlane.ParseMembers(options["members"]), options["certs"], options["dir"] + "-raft", secret)
                : new RemoteControlPlane(nodeId, options["listen"], options["controller"], secret, deadPeer),
            ReplicaLagTimeMax = TimeSpan.FromSeconds(3),
            ReplicaFetchWaitMax = TimeSpan.FromMilliseconds(200),
            RequestTimeout = TimeSpan.FromSeconds(5),
            BrokerOptions = group is null ? BrokerOptions.Default : new BrokerOptions { GroupInitialRebalanceDelay = TimeSpan.Zero },
        });
    }
    catch (Exception e) when (attempt < 20 && e is System.Net.Sockets.SocketException or IOException or TransportException)
    {
        // The listen port may still be held by the previous incarnation for a moment.
        await transport.DisposeAsync();
        await Task.Delay(250);
    }
}

Print($"OPEN {nodeId}");
started.SetResult(node);
_ = Task.Run(async () =>
{
    // Every metadata version this node applies, for the parent (it reads the newest across the nodes).
    long version = -1;
    while (!stop.IsCancellationRequested)
    {
        var metadata = await node.WaitForMetadataAsync(m => m.Version > version, stop.Token);
        version = metadata.Version;
        Print(MetaLine.Format(metadata, 0, group));
    }
});
await node.WaitForMetadataAsync(m => m.Topics.ContainsKey(topic), stop.Token).AsTask().ContinueWith(_ => { }, TaskScheduler.Default);
var config = new ProducerConfig(new Dictionary<string, string>
{
    ["acks"] = "all",
    ["enable.idempotence"] = "true",
    ["retries"] = "2147483647",
    ["linger.ms"] = "2",
    ["request.timeout.ms"] = "5000",
    ["delivery.timeout.ms"] = "30000",
});
var producer = node.Broker.CreateProducer<Null, string>(config);
var sequence = 0;
var partitionCount = Math.Max(1, node.Metadata.Partitions.Keys.Count(p => p.Topic == topic));
var running = new List<Task>();
Task consuming = Task.CompletedTask;
if (group is not null)
{
    if (options.GetValueOrDefault("consume") == "now")
    {
        consume.TrySetResult();
    }

    member = new GroupConsumer(node, topic, group, Int(options.GetValueOrDefault("commitevery", "20")), pace ?? Int(options.GetValueOrDefault("pace", "0")), Print);
    consuming = consume.Task.WaitAsync(stop.Token).ContinueWith(t => t.IsCompletedSuccessfully ? member.RunAsync(stop.Token) : Task.CompletedTask,
        TaskScheduler.Default).Unwrap();
}

try
{
    while (!pause.IsCancellationRequested && sequence < count)
    {
        while (running.Count < inFlight && !pause.IsCancellationRequested && sequence < count)
        {
            var value = string.Create(CultureInfo.InvariantCulture, $"{nodeId}.{run}.{sequence++}");
            // A limited run (count=) spreads its records over the partitions in turn, so that every partition gets its share.
            running.Add(SendAsync(value, count == int.MaxValue ? null : new TopicPartition(topic, (sequence - 1) % partitionCount)));
        }

        if (running.Count > 0)
        {
            await Task.WhenAny(running);
        }

        running.RemoveAll(t => t.IsCompleted);
    }

    await Task.WhenAll(running);
    Print("PAUSED");
    await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
}
finally
{
    await consuming;
    await producer.DisposeAsync();
    await node.DisposeAsync();
    await transport!.DisposeAsync();
}

Print("DONE");
return 0;

static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);

async Task SendAsync(string value, TopicPartition? partition)
{
    try
    {
        var message = new Message<Null, string> { Value = value };
        var result = partition is { } explicitPartition ? await producer.ProduceAsync(explicitPartition, message) : await producer.ProduceAsync(topic, message);
        Print(string.Create(CultureInfo.InvariantCulture, $"ACK {value} {result.Partition.Value} {result.Offset.Value}"));
    }
#pragma warning disable CA1031 // Every failure is reported to the parent; the record counts as not acknowledged.
    catch (Exception e)
#pragma warning restore CA1031
    {
        Print($"ERR {value} {e.GetType().Name}");
    }
}

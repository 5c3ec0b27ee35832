using CommitLog.Storage;
using CommitLog.TestKit;
using Microsoft.Extensions.Time.Testing;

namespace CommitLog.Tests.Broker;

/// <summary>
/// Crash consistency of topic changes: a script of creates, an append, a partition increase, a config change and deletes
/// runs on a simulated disk that "crashes" at storage call k, for every k; after a power loss and a reopen each topic
/// must be either fully there or fully gone, in the state before or after the step that was running.
/// </summary>
public class BrokerCrashTests
{
    private static readonly string Data = Path.GetFullPath("/crash/data");
    private static readonly PowerLossMode[] Modes = [PowerLossMode.DropUnflushed, PowerLossMode.KeepPrefix, PowerLossMode.Random];

    private static readonly State[] States =
    [
        new(null, null, 0, null),
        new(3, null, 0, null),
        new(3, null, 3, null),
        new(3, 1, 3, 1),
        new(5, 1, 3, 1),
        new(5, 1, 3, 2),
        new(null, 1, 0, 2),
        new(2, 1, 0, 2),
        new(2, null, 0, null),
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TopicScript_CrashAtEveryStorageCall_ReopensToAConsistentState()
    {
        long total = await CountCallsAsync();
        Assert.True(total > 100, $"the script made only {total} storage calls");
        TestContext.Current.TestOutputHelper?.WriteLine($"Crashing at each of {total} storage calls.");

        for (long k = 1; k <= total; k++)
        {
            var disk = new SimulatedStorage(seed: (int)k);
            var crashing = new CrashingStorage(disk, k);
            int completed = await RunScriptAsync(crashing);
            PowerLossMode mode = Modes[k % Modes.Length];
            disk.Crash(mode, seed: (int)k);

            await using CommitLog.Broker reopened = await CommitLog.Broker.OpenAsync(Data, Options(disk), Ct);
            State actual = await ObserveAsync(reopened, disk);
            State before = States[completed];
            State after = States[Math.Min(completed + 1, States.Length - 1)];
            Assert.True(actual == before || actual == after,
                $"Crash at call {k} of {total} ({mode}) after {completed} completed steps: found {actual}, expected {before} or {after}.");

            // The reopened broker is fully usable: every existing partition takes appends.
            foreach (string topic in await reopened.Admin.ListTopicsAsync(Ct))
            {
                for (int p = 0; p < reopened.GetPartitionCount(topic); p++)
                {
                    await reopened.AppendAsync(new TopicPartition(topic, p), Batches.Of("after"), Ct);
                }
            }
        }
    }

    private static async Task<long> CountCallsAsync()
    {
        var counter = new CrashingStorage(new SimulatedStorage(), long.MaxValue);
        Assert.Equal(States.Length - 1, await RunScriptAsync(counter));
        return counter.Calls;
    }

    /// <summary>Runs the script until a step fails; returns how many steps completed.</summary>
    private static async Task<int> RunScriptAsync(CrashingStorage storage)
    {
        int completed = 0;
        try
        {
            CommitLog.Broker broker = await CommitLog.Broker.OpenAsync(Data, Options(storage), Ct);
            await broker.Admin.CreateTopicAsync("orders", 3, new TopicConfig { FlushPolicy = FlushPolicy.BeforeAck }, Ct);
            completed++;
            await broker.AppendAsync(new TopicPartition("orders", 0), Batches.Of("a", "b", "c"), Ct);
            completed++;
            await broker.Admin.CreateTopicAsync("audit", 1, new TopicConfig { RetentionMs = TimeSpan.FromHours(1) }, Ct);
            completed++;
            await broker.Admin.CreatePartitionsAsync("orders", 5, Ct);
            completed++;
            await broker.Admin.AlterTopicConfigAsync("audit", new TopicConfig { RetentionMs = TimeSpan.FromHours(2), SegmentBytes = 8192 }, Ct);
            completed++;
            await broker.Admin.DeleteTopicAsync("orders", Ct);
            completed++;
            await broker.Admin.CreateTopicAsync("orders", 2, new TopicConfig { FlushPolicy = FlushPolicy.BeforeAck }, Ct);
            completed++;
            await broker.Admin.DeleteTopicAsync("audit", Ct);
            completed++;
            await broker.DisposeAsync();
        }
        catch (Exception e) when (storage.Crashed && e is not Xunit.Sdk.XunitException)
        {
            // The simulated process died here; the broker is abandoned, as a killed process would leave it.
        }

        return completed;
    }

    private static async Task<State> ObserveAsync(CommitLog.Broker broker, SimulatedStorage disk)
    {
        var topics = await broker.Admin.ListTopicsAsync(Ct);
        int? orders = topics.Contains("orders") ? broker.GetPartitionCount("orders") : null;
        int? audit = topics.Contains("audit") ? broker.GetPartitionCount("audit") : null;
        long records = orders is null ? 0 : (await broker.Admin.DescribeTopicAsync("orders", Ct)).Partitions[0].LogEndOffset;
        long? retention = audit is null ? null : (long?)broker.GetTopicConfig("audit").RetentionMs!.Value.TotalHours;

        // Partitions that no topic owns hold no files: a deletion is never half done.
        foreach ((string topic, int? count) in new[] { ("orders", orders), ("audit", audit) })
        {
            for (int p = count ?? 0; p < 5; p++)
            {
                string directory = Path.Combine(Data, $"{topic}-{p}");
                Assert.True(!disk.DirectoryExists(directory) || disk.ListFiles(directory).Count == 0,
                    $"{directory} still holds {string.Join(", ", disk.DirectoryExists(directory) ? disk.ListFiles(directory) : [])}");
            }
        }

        return new State(orders, audit, records, retention);
    }

    private static BrokerOptions Options(Storage.IO.ISegmentStorage storage) => new()
    {
        TimeProvider = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000)),
        LogOptions = new LogOptions { Storage = storage, RetentionCheckInterval = null },
    };

    private sealed record State(int? Orders, int? Audit, long Orders0Records, long? AuditRetentionHours);
}

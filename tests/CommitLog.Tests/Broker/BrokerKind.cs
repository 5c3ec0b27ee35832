using CommitLog.Storage;
using CommitLog.Storage.IO;
using CommitLog.TestKit;
using Microsoft.Extensions.Time.Testing;

namespace CommitLog.Tests.Broker;

/// <summary>Opens brokers of one kind (real files, in-memory storage, simulated disk) on one data directory, again and again.</summary>
public sealed class BrokerKind : IDisposable
{
    private readonly string? _tempDirectory;

    private BrokerKind(string name, ISegmentStorage? storage, string dataDirectory, string? tempDirectory)
    {
        Name = name;
        Storage = storage;
        DataDirectory = dataDirectory;
        _tempDirectory = tempDirectory;
    }

    public static TheoryData<string> All => new("disk", "memory", "simulated");

    public string Name { get; }

    public ISegmentStorage? Storage { get; }

    public string DataDirectory { get; }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));

    public static BrokerKind Create(string name) => name switch
    {
        "disk" => FromTemp(),
        "memory" => new BrokerKind(name, new InMemorySegmentStorage(), Path.GetFullPath("/mem/data"), null),
        "simulated" => new BrokerKind(name, new SimulatedStorage(seed: 7), Path.GetFullPath("/sim/data"), null),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Allowed: disk, memory, simulated."),
    };

    public BrokerOptions Options(TopicConfig? defaults = null) => new()
    {
        TimeProvider = Time,
        DefaultTopicConfig = defaults ?? new TopicConfig(),
        LogOptions = new LogOptions { Storage = Storage, RetentionCheckInterval = null },
    };

    public ValueTask<CommitLog.Broker> OpenAsync(TopicConfig? defaults = null)
        => CommitLog.Broker.OpenAsync(DataDirectory, Options(defaults), TestContext.Current.CancellationToken);

    public void Dispose()
    {
        if (_tempDirectory is not null && Directory.Exists(_tempDirectory))
        {
            Directory.Delete(_tempDirectory, recursive: true);
        }
    }

    private static BrokerKind FromTemp()
    {
        string temp = Path.Combine(Path.GetTempPath(), "commitlog-broker-" + Guid.NewGuid().ToString("N"));
        return new BrokerKind("disk", null, Path.Combine(temp, "data"), temp);
    }
}

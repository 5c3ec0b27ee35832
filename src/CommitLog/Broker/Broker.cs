using System.Collections.Concurrent;
using CommitLog.Groups;
using CommitLog.Storage;
using CommitLog.Storage.IO;
using Microsoft.Extensions.Logging;

namespace CommitLog;

/// <summary>
/// The in-process root of CommitLog: a data directory of topics, each a set of partition logs. Open one with
/// <see cref="OpenAsync"/> (real files) or <see cref="CreateInMemory"/> (same behaviour, nothing on disk), manage topics
/// through <see cref="Admin"/>, and dispose it to close every log cleanly.
/// </summary>
/// <remarks>
/// <para>Thread-safety: every member is safe to call concurrently. Topic changes are serialized; reads and appends of
/// partitions never wait for them.</para>
/// <para>Layout (Kafka's): <c>&lt;data&gt;/&lt;topic&gt;-&lt;partition&gt;/</c> per partition, the topic metadata in
/// <c>&lt;data&gt;/topics.meta</c> (see docs/broker.md), and <c>&lt;data&gt;/.lock</c>: only one broker may open a data
/// directory at a time.</para>
/// </remarks>
public sealed partial class Broker : IAsyncDisposable
{
    private const string InMemoryRoot = "/commitlog-in-memory";
    private readonly ISegmentStorage _storage;
    private readonly BrokerOptions _options;
    private readonly LogOptions _logTemplate;
    private readonly IDisposable _directoryLock;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _adminGate = new(1, 1);
    private readonly ConcurrentDictionary<string, TopicState> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TopicRecord> _records = new(StringComparer.Ordinal);
    private readonly List<string> _orphans = [];
    private int _disposed;

    private Broker(string dataDirectory, ISegmentStorage storage, BrokerOptions options, IDisposable directoryLock)
    {
        DataDirectory = dataDirectory;
        _storage = storage;
        _options = options;
        _directoryLock = directoryLock;
        _logTemplate = options.LogTemplate(storage);
        _logger = options.LoggerFactory.CreateLogger("CommitLog.Broker");
        Admin = new BrokerAdmin(this);
        Groups = CreateGroupCoordinator();
        OffsetStore = new GroupOffsetStore(this, Groups.CheckCommit);
    }

    /// <summary>Gets the full path of the data directory (a virtual path for an in-memory broker).</summary>
    public string DataDirectory { get; }

    /// <summary>Gets the topic administration: create, list, describe, delete, add partitions, alter configs.</summary>
    public BrokerAdmin Admin { get; }

    /// <summary>Gets this broker's node id (<see cref="BrokerOptions.NodeId"/>).</summary>
    public int NodeId => _options.NodeId;

    /// <summary>Gets the options the broker was opened with.</summary>
    internal BrokerOptions Options => _options;

    /// <summary>Gets the storage every file operation goes through.</summary>
    internal ISegmentStorage Storage => _storage;

    /// <summary>Gets the directories found at open that look like partitions of no known topic (left untouched).</summary>
    internal IReadOnlyList<string> OrphanedDirectories => _orphans;

    /// <summary>
    /// Opens the broker on <paramref name="dataDirectory"/>, creating it if needed: reads the topic metadata, completes a
    /// topic deletion an earlier run left unfinished, and opens (recovering if needed) every partition log, in parallel.
    /// </summary>
    /// <param name="dataDirectory">The data directory.</param>
    /// <param name="options">The settings, or <see langword="null"/> for <see cref="BrokerOptions.Default"/>.
    /// <see cref="LogOptions.Storage"/> of <see cref="BrokerOptions.LogOptions"/> selects the storage (default: real files).</param>
    /// <param name="cancellationToken">Cancels waiting for the partition logs to open; the broker is then closed again.</param>
    /// <returns>The open broker; dispose it.</returns>
    /// <exception cref="ArgumentException"><paramref name="dataDirectory"/> is null, empty or white space.</exception>
    /// <exception cref="LogDirectoryLockedException">Another broker, in this or another process, has the directory open.</exception>
    /// <exception cref="CorruptRecordException">The topic metadata, or flushed data of a partition, is damaged.</exception>
    /// <exception cref="IOException">The storage failed.</exception>
    public static async ValueTask<Broker> OpenAsync(
        string dataDirectory, BrokerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        options ??= BrokerOptions.Default;
        ISegmentStorage storage = options.LogOptions.Storage ?? FileSegmentStorage.Instance;
        Broker broker = Start(Path.GetFullPath(dataDirectory), storage, options);
        try
        {
            await broker.OpenTopicsAsync(cancellationToken).ConfigureAwait(false);
            broker.LoadGroupOffsets();
            broker.StartCleaner();
        }
        catch
        {
            await broker.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return broker;
    }

    /// <summary>
    /// Creates a broker whose data lives in memory only (an <see cref="InMemorySegmentStorage"/>), for unit tests: the
    /// same API and behaviour as <see cref="OpenAsync"/>, and everything is gone when it is disposed.
    /// <see cref="LogOptions.Storage"/> in <paramref name="options"/> is ignored.
    /// </summary>
    /// <param name="options">The settings, or <see langword="null"/> for <see cref="BrokerOptions.Default"/>.</param>
    /// <returns>The broker; dispose it.</returns>
    public static Broker CreateInMemory(BrokerOptions? options = null)
    {
        Broker broker = Start(Path.GetFullPath(InMemoryRoot), new InMemorySegmentStorage(), options ?? BrokerOptions.Default);
        broker.StartCleaner();
        return broker;
    }

    /// <summary>Closes every partition log cleanly (flushed, checkpointed, marked clean) and releases the data directory.
    /// Waits for a topic change in progress. Safe to call more than once.</summary>
    /// <returns>A task that completes when everything is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        await _adminGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            await StopCleanerAsync().ConfigureAwait(false);
            var logs = _topics.Values.SelectMany(t => t.Partitions).Select(s => s.Log).ToList();
            _topics.Clear();
            Groups.Dispose();
            await Task.WhenAll(logs.Select(log => log.DisposeAsync().AsTask())).ConfigureAwait(false);
            _directoryLock.Dispose();
        }
        finally
        {
            _adminGate.Release();
        }
    }

    /// <summary>Locks the directory, reads the metadata and finishes pending deletions; opens no partition log yet.</summary>
    private static Broker Start(string dataDirectory, ISegmentStorage storage, BrokerOptions options)
    {
        CreateDirectoryDurably(storage, dataDirectory);
        IDisposable directoryLock = storage.LockDirectory(dataDirectory);
        var broker = new Broker(dataDirectory, storage, options, directoryLock);
        try
        {
            broker.LoadMetadata();
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }

        return broker;
    }

    private static void CreateDirectoryDurably(ISegmentStorage storage, string directory)
    {
        var missing = new Stack<string>();
        for (string? d = directory; !string.IsNullOrEmpty(d) && !storage.DirectoryExists(d); d = Path.GetDirectoryName(d))
        {
            missing.Push(d);
        }

        storage.CreateDirectory(directory);
        while (missing.TryPop(out string? created))
        {
            if (Path.GetDirectoryName(created) is { Length: > 0 } parent)
            {
                storage.SyncDirectory(parent);
            }
        }
    }

    private void LoadMetadata()
    {
        var records = TopicMetadataFile.Read(_storage, DataDirectory);
        foreach (TopicRecord record in records)
        {
            _records[record.Name] = record;
        }

        var deleting = records.Where(r => r.Deleting).ToList();
        foreach (TopicRecord record in deleting)
        {
            BrokerLogMessages.ResumingDeletion(_logger, record.Name);
            RemovePartitionDirectories(record.Name, record.Partitions);
            _records.Remove(record.Name);
        }

        if (deleting.Count > 0)
        {
            PersistMetadata();
        }

        FindOrphans();
    }

    private void FindOrphans()
    {
        foreach (string name in StorageDirectories.TryList(_storage, DataDirectory) ?? [])
        {
            int dash = name.LastIndexOf('-');
            if (dash <= 0 || !int.TryParse(name.AsSpan(dash + 1), System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture, out int partition))
            {
                continue;
            }

            if (!_records.TryGetValue(name[..dash], out TopicRecord? record) || partition >= record.Partitions)
            {
                string path = Path.Combine(DataDirectory, name);
                _orphans.Add(path);
                BrokerLogMessages.OrphanDirectory(_logger, path);
            }
        }
    }

    private async ValueTask OpenTopicsAsync(CancellationToken cancellationToken)
    {
        var live = _records.Values.Where(r => !r.Deleting).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        var opening = live.Select(record =>
        {
            var config = new TopicConfig(record.Config);
            return (record, config, logs: OpenLogsAsync(record.Name, 0, record.Partitions, config, expectExisting: true, cancellationToken));
        }).ToList();

        Exception? failure = null;
        foreach (var (record, config, logs) in opening)
        {
            try
            {
                PartitionLog[] opened = await logs.ConfigureAwait(false);
                _topics[record.Name] = new TopicState(record, config, [.. opened.Select(l => new PartitionSlot(l))]);
            }
#pragma warning disable CA1031 // Every topic's open is awaited so no log is left open; the first failure is rethrown.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure ??= e;
            }
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        BrokerLogMessages.Opened(_logger, DataDirectory, _topics.Count, _topics.Values.Sum(t => t.Partitions.Length));
    }

    /// <summary>The log settings of a topic's partitions: a topic a cluster node replicates keeps a replicated high watermark.</summary>
    private LogOptions LogOptionsFor(string topic, TopicConfig config)
        => config.ToReplicaLogOptions(_logTemplate, _options.Replication?.IsReplicated(topic) == true);

    private string PartitionDirectory(string topic, int partition)
        => Path.Combine(DataDirectory, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{topic}-{partition}"));

    /// <summary>Opens partitions [<paramref name="from"/>, <paramref name="to"/>) in parallel; on failure closes the opened ones.</summary>
    private async Task<PartitionLog[]> OpenLogsAsync(
        string topic, int from, int to, TopicConfig config, bool expectExisting, CancellationToken cancellationToken)
    {
        LogOptions logOptions = LogOptionsFor(topic, config);
        var tasks = Enumerable.Range(from, to - from).Select(p => Task.Run(() =>
        {
            string directory = PartitionDirectory(topic, p);
            if (expectExisting && !_storage.DirectoryExists(directory))
            {
                BrokerLogMessages.MissingPartitionDirectory(_logger, topic, p);
            }

            return PartitionLog.Open(directory, logOptions);
        }, cancellationToken)).ToList();

        try
        {
            return await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch
        {
            await CloseOpenedAsync(tasks).ConfigureAwait(false);
            throw;
        }
    }

    private static async Task CloseOpenedAsync(List<Task<PartitionLog>> tasks)
    {
        foreach (Task<PartitionLog> task in tasks)
        {
            try
            {
                PartitionLog log = await task.ConfigureAwait(false);
                await log.DisposeAsync().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Cleaning up after a failed open: the original failure is what the caller sees.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    /// <summary>Writes the metadata of every known topic (live and being deleted). Caller holds the admin gate.</summary>
    private void PersistMetadata()
        => TopicMetadataFile.Write(_storage, DataDirectory, _records.Values.OrderBy(r => r.Name, StringComparer.Ordinal));

    /// <summary>Deletes every file of the topic's partition directories and, where the storage can, the directories.</summary>
    private void RemovePartitionDirectories(string topic, int partitions)
    {
        for (int p = 0; p < partitions; p++)
        {
            string directory = PartitionDirectory(topic, p);
            if (!_storage.DirectoryExists(directory))
            {
                continue;
            }

            foreach (string file in _storage.ListFiles(directory))
            {
                _storage.DeleteFile(Path.Combine(directory, file));
            }

            _storage.SyncDirectory(directory);
            try
            {
                StorageDirectories.RemoveEmpty(_storage, directory);
            }
            catch (IOException e)
            {
                BrokerLogMessages.DirectoryNotRemoved(_logger, e, directory);
            }
        }

        _storage.SyncDirectory(DataDirectory);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}

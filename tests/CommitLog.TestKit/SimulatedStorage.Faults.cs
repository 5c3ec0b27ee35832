using CommitLog.Storage.IO;

namespace CommitLog.TestKit;

/// <content>Fault injection, capacity, counters and the call log.</content>
public sealed partial class SimulatedStorage
{
    private readonly List<StorageFaultRule> _faults = [];
    private readonly Dictionary<StorageOperation, long> _counts = [];
    private readonly List<StorageEvent> _events = [];
    private readonly HashSet<SimulatedInode> _openInodes = [];
    private long _sequence;
    private bool _currentRecorded;

    /// <summary>
    /// Gets or sets the size of the disk in bytes (null: unlimited). A write or extension beyond it writes what fits
    /// and fails with the platform's ENOSPC; freeing space (deleting or truncating files) makes writes work again.
    /// Deleted files still open keep their space until closed, as on a real disk.
    /// </summary>
    public long? CapacityBytes
    {
        get { lock (_gate) { return field; } }
        set { lock (_gate) { field = value; } }
    }

    /// <summary>Gets the bytes in use: the lengths of every linked or open file.</summary>
    public long UsedBytes
    {
        get
        {
            lock (_gate)
            {
                return UsedBytesLocked();
            }
        }
    }

    /// <summary>Gets or sets a value indicating whether calls are recorded in <see cref="Events"/> (reads never are).</summary>
    public bool RecordEvents
    {
        get { lock (_gate) { return field; } }
        set { lock (_gate) { field = value; } }
    } = true;

    /// <summary>Gets a copy of the recorded calls, oldest first.</summary>
    public IReadOnlyList<StorageEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>
    /// Gets the creations, renames and deletions not yet made durable by a <see cref="SyncDirectory"/> of their parent,
    /// oldest first (with sequence 0). An empty list means a power loss now would not change any directory.
    /// </summary>
    public IReadOnlyList<StorageEvent> UnsyncedDirectoryChanges
    {
        get
        {
            lock (_gate)
            {
                return [.. _changes.Where(c => !c.Durable).Select(c => c.ToEvent())];
            }
        }
    }

    /// <summary>Adds a fault: the <see cref="StorageFaultRule.Nth"/> matching call from now on fails.</summary>
    public void AddFault(StorageFaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (_gate)
        {
            rule.Seen = 0;
            _faults.Add(rule);
        }
    }

    /// <summary>Fails the <paramref name="nth"/> call of <paramref name="operation"/> from now on, once.</summary>
    public void FailNth(StorageOperation operation, int nth, StorageFaultKind kind = StorageFaultKind.DeviceError)
        => AddFault(new StorageFaultRule { Operation = operation, Nth = nth, Kind = kind });

    /// <summary>Removes every fault rule.</summary>
    public void ClearFaults()
    {
        lock (_gate)
        {
            _faults.Clear();
        }
    }

    /// <summary>Returns how many calls of <paramref name="operation"/> were made (including failed ones).</summary>
    public long CallCount(StorageOperation operation)
    {
        lock (_gate)
        {
            return _counts.GetValueOrDefault(operation);
        }
    }

    /// <summary>Forgets the recorded calls (counters are kept).</summary>
    public void ClearEvents()
    {
        lock (_gate)
        {
            _events.Clear();
        }
    }

    /// <summary>Counts and records a call and returns the fault rule it triggers; throws that fault unless
    /// <paramref name="deferFault"/>.</summary>
    private StorageFaultRule? Begin(StorageOperation operation, string path, string? destination = null, bool deferFault = false)
    {
        _counts[operation] = _counts.GetValueOrDefault(operation) + 1;
        _currentRecorded = RecordEvents && operation != StorageOperation.Read;
        if (_currentRecorded)
        {
            _events.Add(new StorageEvent(++_sequence, operation, path, destination, Failed: false));
        }

        StorageFaultRule? triggered = null;
        foreach (StorageFaultRule rule in _faults)
        {
            if (rule.Operation != operation || (rule.PathFilter is not null && !rule.PathFilter(path)))
            {
                continue;
            }

            rule.Seen++;
            if (triggered is null && (rule.Seen == rule.Nth || (rule.Persistent && rule.Seen > rule.Nth)))
            {
                triggered = rule;
            }
        }

        if (triggered is not null && !deferFault)
        {
            throw Fail(CreateFault(triggered.Kind, operation, path));
        }

        return triggered;
    }

    private void End() => _currentRecorded = false;

    /// <summary>Marks the call in progress as failed and returns <paramref name="exception"/> for throwing.</summary>
    private Exception Fail(Exception exception)
    {
        if (_currentRecorded)
        {
            _events[^1] = _events[^1] with { Failed = true };
        }

        _currentRecorded = false;
        return exception;
    }

    private static IOException CreateFault(StorageFaultKind kind, StorageOperation operation, string path)
        => kind == StorageFaultKind.DiskFull
            ? IOErrors.DiskFull($"Simulated {operation}", path)
            : IOErrors.DeviceError($"Simulated {operation}", path);

    private long UsedBytesLocked()
    {
        var live = new HashSet<SimulatedInode>(_files.Values);
        live.UnionWith(_openInodes);
        return live.Sum(i => i.Length);
    }

    /// <summary>Returns how many bytes an inode may grow to under <see cref="CapacityBytes"/>.</summary>
    private long MaxLength(SimulatedInode inode)
        => CapacityBytes is long capacity ? inode.Length + Math.Max(0, capacity - UsedBytesLocked()) : long.MaxValue;
}

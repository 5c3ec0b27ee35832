using System.Buffers;
using System.Collections.Concurrent;
using DotNext.IO;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Microsoft.Extensions.Logging;

namespace CommitLog.Replication.Control;

/// <summary>
/// DotNext state machine of the Raft control plane: every committed log entry holds one
/// <see cref="MetadataCommand"/> (see <see cref="RaftEntryCodec"/>) and is applied with
/// <see cref="ClusterMetadataState.Apply"/>; an accepted change's version is the entry's log index. The whole
/// metadata is snapshotted every <c>snapshotInterval</c> entries so the log can be compacted.
/// </summary>
internal sealed partial class RaftMetadataStateMachine : SimpleStateMachine
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<MetadataChange>> _waiters = new();
    private readonly int _snapshotInterval;
    private readonly ILogger _logger;
    private ClusterMetadata? _snapshotState;

    public RaftMetadataStateMachine(DirectoryInfo snapshotDirectory, int snapshotInterval, ILogger logger)
        : base(snapshotDirectory)
    {
        _snapshotInterval = snapshotInterval;
        _logger = logger;
    }

    public MetadataCell Cell { get; } = new(ClusterMetadata.Empty);

    /// <summary>Registers interest in the application of the entry proposed with <paramref name="requestId"/>.</summary>
    public Task<MetadataChange> Expect(Guid requestId)
    {
        var waiter = new TaskCompletionSource<MetadataChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters[requestId] = waiter;
        return waiter.Task;
    }

    public void Forget(Guid requestId) => _waiters.TryRemove(requestId, out _);

    protected override ValueTask<bool> ApplyAsync(LogEntry entry, CancellationToken token)
    {
        if (entry.IsConfiguration || !entry.TryGetPayload(out ReadOnlySequence<byte> payload) || payload.IsEmpty)
        {
            return ValueTask.FromResult(false); // the leader's no-op entry of a new term, or a membership entry
        }

        if (!RaftEntryCodec.TryDecode(payload.ToArray(), out Guid requestId, out MetadataCommand? command, out string? error))
        {
            LogUndecodable(entry.Index, error);
            return ValueTask.FromResult(false);
        }

        ClusterMetadata current = Cell.Current;
        MetadataChange change = ClusterMetadataState.Apply(current, command);
        if (change.Accepted)
        {
            change = change with { Metadata = change.Metadata with { Version = entry.Index, ControllerId = -1 } };
            Cell.Publish(change.Metadata);
        }

        if (_waiters.TryRemove(requestId, out TaskCompletionSource<MetadataChange>? waiter))
        {
            waiter.TrySetResult(change);
        }

        if (entry.Index % _snapshotInterval == 0)
        {
            Volatile.Write(ref _snapshotState, Cell.Current);
            return ValueTask.FromResult(true);
        }

        return ValueTask.FromResult(false);
    }

    protected override ValueTask PersistAsync(IAsyncBinaryWriter writer, CancellationToken token)
    {
        ClusterMetadata state = Volatile.Read(ref _snapshotState) ?? Cell.Current;
        return writer.Invoke(MetadataSnapshotCodec.Encode(state), token);
    }

    protected override async ValueTask RestoreAsync(FileInfo snapshotFile, CancellationToken token)
    {
        byte[] image = await File.ReadAllBytesAsync(snapshotFile.FullName, token).ConfigureAwait(false);
        Cell.Publish(MetadataSnapshotCodec.Decode(image));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Raft log entry {Index} is not a metadata command and was skipped: {Error}")]
    private partial void LogUndecodable(long index, string? error);
}

using CommitLog.Replication.Replica;
using CommitLog.Storage;

namespace CommitLog.Replication.Tests.Simulation;

/// <summary>Deliberately wrong logs, to prove the simulation's checker catches the bugs they stand for.</summary>
internal sealed class BrokenReplicaLog : IReplicaLog
{
    private readonly IReplicaLog _inner;
    private readonly Bug _bug;

    public BrokenReplicaLog(IReplicaLog inner, Bug bug)
    {
        _inner = inner;
        _bug = bug;
        if (_bug == Bug.TruncateToHighWatermark && _inner.HighWatermark < _inner.LogEndOffset)
        {
            // Opened at (re)start: the pre-KIP-101 replica cut its log back to its high watermark here.
            _inner.TruncateTo(_inner.HighWatermark);
        }
    }

    public enum Bug
    {
        /// <summary>The leader counts only itself: the HW jumps to its log end on every append (acks=all answers at once).</summary>
        LeaderOnlyHighWatermark,

        /// <summary>A follower ignores the leader's diverging epoch and keeps its tail.</summary>
        NeverTruncate,

        /// <summary>A replica truncates to its own high watermark on restart and on divergence, instead of where the epochs diverge (pre-KIP-101).</summary>
        TruncateToHighWatermark,

        /// <summary>The high watermark stops one below the log end (safe, but acks=all never completes): a liveness bug.</summary>
        HighWatermarkOneShort,
    }

    public long LogStartOffset => _inner.LogStartOffset;

    public long LogEndOffset => _inner.LogEndOffset;

    public long HighWatermark => _inner.HighWatermark;

    public IReadOnlyList<(int Epoch, long StartOffset)> LeaderEpochs => _inner.LeaderEpochs;

    public (int Epoch, long EndOffset) EndOffsetForEpoch(int epoch) => _inner.EndOffsetForEpoch(epoch);

    public void SetLeaderEpoch(int epoch) => _inner.SetLeaderEpoch(epoch);

    public AppendResult Append(Memory<byte> batches)
    {
        var result = _inner.Append(batches);
        if (_bug == Bug.LeaderOnlyHighWatermark)
        {
            _inner.UpdateHighWatermark(_inner.LogEndOffset);
        }

        return result;
    }

    public void AppendAsFollower(ReadOnlyMemory<byte> batches)
    {
        if (_bug == Bug.NeverTruncate && RecordBatch.ReadAll(batches).First().Header.BaseOffset < _inner.LogEndOffset)
        {
            return;
        }

        _inner.AppendAsFollower(batches);
    }

    public LogReadResult ReadToLogEnd(long offset, int maxBytes) => _inner.ReadToLogEnd(offset, maxBytes);

    public byte[] ReadCommitted(long offset, int maxBytes) => _inner.ReadCommitted(offset, maxBytes);

    public void UpdateHighWatermark(long offset)
        => _inner.UpdateHighWatermark(Math.Min(offset, _bug == Bug.HighWatermarkOneShort ? _inner.LogEndOffset - 1 : _inner.LogEndOffset));

    public void TruncateTo(long offset)
    {
        switch (_bug)
        {
            case Bug.NeverTruncate:
                return;
            case Bug.TruncateToHighWatermark:
                _inner.TruncateTo(_inner.HighWatermark);
                return;
            default:
                _inner.TruncateTo(offset);
                return;
        }
    }

    public void ResetTo(long offset) => _inner.ResetTo(offset);
}

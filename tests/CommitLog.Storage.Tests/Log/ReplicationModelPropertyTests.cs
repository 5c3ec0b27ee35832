using CommitLog.Storage.Tests.Idempotence;
using CommitLog.TestKit;
using FsCheck.Xunit;

namespace CommitLog.Storage.Tests.Log;

/// <summary>
/// Model-based test for the replication primitives: random follower appends, truncations, resets, high-watermark
/// updates, clean reopens and crashes (every power-loss mode; appends are flushed before they complete) run on a
/// replica log over the simulated disk and on a list of batches; after every step the log must equal the model:
/// stored bytes, log start and end, leader epochs, and a high watermark within its bounds.
/// </summary>
public class ReplicationModelPropertyTests
{
    [Property(MaxTest = 100)]
    public void ReplicaLog_RandomOps_MatchesModel(int[] codes) => Run(codes);

    [Theory]
    [InlineData(new[] { 0, 0, 3, 1, 5, 0, 2, 6 })]
    [InlineData(new[] { 7, 0, 14, 2, 0, 1, 4, 1, 5, 3, 0 })]
    public void ReplicaLog_PinnedSequence_MatchesModel(int[] codes) => Run(codes);

    private static void Run(int[] codes)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        Task.Run(() => RunAsync(codes, cancellationToken), cancellationToken).GetAwaiter().GetResult();
    }

    private static async Task RunAsync(int[] codes, CancellationToken cancellationToken)
    {
        var storage = new SimulatedStorage();
        var time = ReplicaLogs.Clock();
        var options = ReplicaLogs.Options(storage, time, flush: FlushPolicy.BeforeAck, segmentBytes: 1024);
        var model = new List<(long Base, long Last, int Epoch, byte[] Bytes)>();
        long start = 0, highWatermark = 0;
        var done = new List<string>();
        var log = PartitionLog.Open(ReplicaLogs.Directory, options);
        try
        {
            foreach (var raw in codes)
            {
                var code = raw == int.MinValue ? 0 : Math.Abs(raw);
                var arg = code / 8;
                var end = model.Count > 0 ? model[^1].Last + 1 : start;
                switch (code % 8)
                {
                    case 0 or 1:
                    {
                        var epoch = (model.Count > 0 ? model[^1].Epoch : 0) + (arg % 3 == 0 ? 1 : 0);
                        var count = 1 + (arg % 3);
                        var batches = new List<byte[]>();
                        for (var i = 0; i < count; i++)
                        {
                            var records = 1 + ((arg + i) % 4);
                            var batch = ReplicaLogs.Batch(end, epoch, records);
                            model.Add((end, end + records - 1, epoch, batch.ToArray()));
                            batches.Add(batch);
                            end += records;
                        }

                        done.Add($"append {count} batches epoch {epoch}");
                        await log.AppendAsFollowerAsync(ProducerBatches.Concat([.. batches]), cancellationToken);
                        break;
                    }

                    case 2:
                    {
                        var offset = start + (arg % (end - start + 1));
                        done.Add($"truncate to {offset}");
                        log.TruncateTo(offset);
                        model.RemoveAll(b => b.Last >= offset);
                        highWatermark = Math.Min(highWatermark, model.Count > 0 ? model[^1].Last + 1 : start);
                        break;
                    }

                    case 3:
                    {
                        var offset = arg % 2 == 0 ? end + (arg % 7) : arg % (end + 1);
                        done.Add($"reset to {offset}");
                        log.ResetTo(offset);
                        model.Clear();
                        start = highWatermark = offset;
                        break;
                    }

                    case 4:
                    {
                        var offset = highWatermark + (arg % (end - highWatermark + 1));
                        done.Add($"high watermark {offset}");
                        log.UpdateHighWatermark(offset);
                        highWatermark = offset;
                        break;
                    }

                    case 5:
                        done.Add("reopen");
                        await log.DisposeAsync();
                        log = PartitionLog.Open(ReplicaLogs.Directory, options);
                        break;

                    default:
                    {
                        var mode = LogOpsModes[arg % LogOpsModes.Length];
                        done.Add($"crash {mode} seed {arg}");
                        storage.Crash(mode, arg);
                        await log.DisposeAsync();
                        log = PartitionLog.Open(ReplicaLogs.Directory, options);
                        Assert.True(log.HighWatermark <= highWatermark, $"high watermark {log.HighWatermark} came back above {highWatermark}");
                        highWatermark = log.HighWatermark;
                        break;
                    }
                }

                Verify(log, model, start, highWatermark);
            }
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"After: {string.Join(", ", done)}: {e.Message}", e);
        }
        finally
        {
            await log.DisposeAsync();
        }
    }

    private static readonly PowerLossMode[] LogOpsModes = Enum.GetValues<PowerLossMode>();

    private static void Verify(PartitionLog log, List<(long Base, long Last, int Epoch, byte[] Bytes)> model, long start, long highWatermark)
    {
        var end = model.Count > 0 ? model[^1].Last + 1 : start;
        Assert.Equal((start, end, highWatermark), (log.LogStartOffset, log.LogEndOffset, log.HighWatermark));
        Assert.Equal(model.SelectMany(b => b.Bytes).ToArray(), ReplicaLogs.ReadBytes(log));
        var epochs = new List<(int, long)>();
        foreach (var batch in model)
        {
            if (epochs.Count == 0 || batch.Epoch > epochs[^1].Item1)
            {
                epochs.Add((batch.Epoch, batch.Base));
            }
        }

        Assert.Equal(epochs, log.GetLeaderEpochs());
        var visible = model.Where(b => b.Last < highWatermark).SelectMany(b => b.Bytes).ToArray();
        Assert.Equal(visible, ReplicaLogs.ReadBytes(log, ReadLimit.HighWatermark));
    }
}

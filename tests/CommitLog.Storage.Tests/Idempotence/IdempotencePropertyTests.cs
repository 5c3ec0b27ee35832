using CommitLog.TestKit;
using FsCheck.Xunit;
using static CommitLog.Storage.Tests.Idempotence.ProducerBatches;

namespace CommitLog.Storage.Tests.Idempotence;

/// <summary>
/// R9 property: two idempotent producers with up to 5 batches in flight deliver them in random order, lose acks and
/// retry, retry old batches, bump their epoch (a zombie of the old epoch keeps sending), while the log rolls, is
/// closed and reopened, and crashes under every power-loss mode. Every outcome must match the KIP-98 rules, and the
/// log must hold each sequence of each producer epoch exactly once, without gaps.
/// </summary>
public class IdempotencePropertyTests
{
    private const string Dir = "/data/idem-prop";

    [Property(MaxTest = 100)]
    public void RandomRetriesReorderingsAndRestarts_NoDuplicatesNoGaps(int[] codes) => Run(codes);

    [Theory]
    [InlineData(new[] { 0, 8, 16, 3, 11, 2, 5 + (8 * 2), 4, 12 })]             // three in flight, reordered, crash, retries
    [InlineData(new[] { 0, 8, 7, 2, 6, 4, 5, 4 + 8, 5 + (8 * 3), 2 + (8 * 5) })] // epoch bump with a zombie, roll, clean reopen
    public Task PinnedSequence_NoDuplicatesNoGaps(int[] codes) => RunAsync(codes, TestContext.Current.CancellationToken);

    private static void Run(int[] codes)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        Task.Run(() => RunAsync(codes, cancellationToken), cancellationToken).GetAwaiter().GetResult();
    }

    private static async Task RunAsync(int[] codes, CancellationToken ct)
    {
        var storage = new SimulatedStorage(codes.Length);
        var time = Clock();
        LogOptions Options() => ProducerBatches.Options(storage, time, segmentBytes: 1024, flush: FlushPolicy.BeforeAck);
        var log = PartitionLog.Open(Dir, Options());
        var model = new IdempotenceModel();
        var clients = new[] { new Client(11), new Client(12) };
        var steps = new List<string>();
        try
        {
            foreach (var raw in codes)
            {
                var code = raw & int.MaxValue;
                var (op, arg) = (code % 8, code / 8);
                var client = clients[arg % 2];
                switch (op)
                {
                    case 0 or 1:
                        steps.Add($"produce {client.ProducerId}");
                        var batch = client.NextBatch(1 + (arg % 3));
                        if (client.Started)
                        {
                            client.InFlight.Add(batch);
                            if (client.InFlight.Count > 5)
                            {
                                await DeliverAsync(log, model, client, client.InFlight[0], loseAck: false, ct);
                            }
                        }
                        else
                        {
                            client.Started = true;
                            client.InFlight.Add(batch);
                            await DeliverAsync(log, model, client, batch, loseAck: false, ct);
                        }

                        break;
                    case 2 or 3 when client.InFlight.Count > 0:
                        var chosen = client.InFlight[arg / 2 % client.InFlight.Count];
                        steps.Add($"deliver {client.ProducerId} seq {chosen.Sequence}{(op == 3 ? " (ack lost)" : string.Empty)}");
                        await DeliverAsync(log, model, client, chosen, loseAck: op == 3, ct);
                        break;
                    case 4 when client.Acked.Count > 0:
                        var old = client.Acked[Math.Max(0, client.Acked.Count - 1 - (arg / 2 % 8))];
                        steps.Add($"retry acked {client.ProducerId} seq {old.Sequence}");
                        await DeliverAsync(log, model, client, old, loseAck: false, ct);
                        break;
                    case 5:
                        var mode = (arg % 9) switch { 0 or 1 => (PowerLossMode?)null, var m => (PowerLossMode)(m - 2) };
                        steps.Add(mode is { } crash ? $"crash {crash}" : "clean reopen");
                        if (mode is { } lossMode)
                        {
                            storage.Crash(lossMode, arg);
                        }

                        await log.DisposeAsync();
                        log = PartitionLog.Open(Dir, Options());
                        model.Verify(log, steps);
                        break;
                    case 6:
                        steps.Add("roll");
                        log.Roll();
                        break;
                    case 7 when client.Started:
                        steps.Add($"bump epoch {client.ProducerId}");
                        var zombie = client.InFlight.Count > 0 ? client.InFlight[0] : client.Acked.LastOrDefault();
                        client.BumpEpoch();
                        if (zombie is not null)
                        {
                            await DeliverAsync(log, model, client, zombie, loseAck: false, ct);
                        }

                        client.Started = true;
                        var first = client.NextBatch(1);
                        client.InFlight.Add(first);
                        await DeliverAsync(log, model, client, first, loseAck: false, ct);
                        break;
                    case 2 or 3 when client.Started:
                        var gap = client.Gap(1 + (arg % 3));
                        steps.Add($"gap {client.ProducerId} seq {gap.Sequence}");
                        await DeliverAsync(log, model, client, gap, loseAck: false, ct);
                        break;
                    default:
                        break;
                }
            }

            model.Verify(log, steps);
        }
        finally
        {
            await log.DisposeAsync();
        }
    }

    private static async Task DeliverAsync(PartitionLog log, IdempotenceModel model, Client client, SentBatch batch, bool loseAck, CancellationToken ct)
    {
        var expected = model.Expect(client.ProducerId, batch);
        string actual;
        AppendResult result = default;
        try
        {
            result = await log.AppendAsync(Make(client.ProducerId, batch.Epoch, batch.Sequence, batch.Count), ct);
            actual = result.IsDuplicate ? "duplicate" : "appended";
        }
        catch (CommitLogException e) when (e is OutOfOrderSequenceException or ProducerFencedException)
        {
            actual = e.GetType().Name;
        }

        var what = $"producer {client.ProducerId} epoch {batch.Epoch} seq {batch.Sequence} x{batch.Count}";
        Assert.True(expected.Outcome == actual, $"{what}: expected {expected.Outcome}, got {actual}");
        if (actual == "appended")
        {
            Assert.Equal(model.EndOffset, result.FirstOffset);
            model.Append(client.ProducerId, batch, result.FirstOffset);
        }
        else if (actual == "duplicate")
        {
            Assert.Equal((expected.FirstOffset, expected.FirstOffset + batch.Count - 1), (result.FirstOffset, result.LastOffset));
        }

        Assert.Equal(model.EndOffset, log.LogEndOffset);
        if (actual is "appended" or "duplicate" && !loseAck && client.InFlight.Remove(batch))
        {
            client.Acked.Add(batch);
        }
    }

    /// <summary>One idempotent producer as a client sees it: its epoch, next sequence, batches in flight and acknowledged.</summary>
    private sealed class Client(long producerId)
    {
        private int _nextSequence;

        public long ProducerId { get; } = producerId;

        public short Epoch { get; private set; }

        public bool Started { get; set; }

        public List<SentBatch> InFlight { get; } = [];

        public List<SentBatch> Acked { get; } = [];

        public SentBatch NextBatch(int count)
        {
            var batch = new SentBatch(Epoch, _nextSequence, count);
            _nextSequence += count;
            return batch;
        }

        public SentBatch Gap(int distance) => new(Epoch, _nextSequence + distance, 1);

        public void BumpEpoch()
        {
            Epoch++;
            _nextSequence = 0;
            InFlight.Clear();
            Acked.Clear();
        }
    }
}

/// <summary>A batch a client sent: epoch, base sequence and record count.</summary>
internal sealed record SentBatch(short Epoch, int Sequence, int Count);

using CommitLog.Storage;
using static CommitLog.Tests.Producer.ProducerTestKit;

namespace CommitLog.Tests.Producer;

/// <summary>
/// Seeded faults for a producer's appends (through its append hook): some are refused by the log (a failing write,
/// nothing stored), some acknowledgements are lost (stored, but the producer sees a retriable failure), and answers
/// come back after 0-2 ms, so several appends of a partition are out at once and answer out of order. Each append is
/// issued to the log at once, in the order the producer issues it.
/// </summary>
internal sealed class FaultyAppends(GatedStorage storage, int seed, double refuse, double loseAck)
{
    private readonly Lock _gate = new();
    private readonly Random _random = new(seed);
    private readonly int[] _inFlight = new int[8];

    /// <summary>Gets the most appends of each partition that were out at once.</summary>
    public int[] MaxInFlight { get; } = new int[8];

    public int Refused { get; private set; }

    public int Lost { get; private set; }

    public ValueTask<AppendResult> Append(TopicPartition tp, Memory<byte> bytes, Func<ValueTask<AppendResult>> real)
    {
        int p = tp.Partition.Value;
        int delayMs;
        ValueTask<AppendResult> task;
        lock (_gate)
        {
            _inFlight[p]++;
            MaxInFlight[p] = Math.Max(MaxInFlight[p], _inFlight[p]);
            bool refused = _random.NextDouble() < refuse;
            delayMs = _random.Next(0, 3);
            storage.FailLogWrites = refused ? 1 : 0;
            try
            {
                task = real(); // the log takes (or refuses) the batch now, in issue order
            }
            finally
            {
                storage.FailLogWrites = 0;
            }

            if (refused && task.IsFaulted)
            {
                Refused++;
            }
        }

        return AnswerAsync(p, task, delayMs);
    }

    public bool LoseAcknowledgement(TopicPartition tp, AppendResult result)
    {
        lock (_gate)
        {
            bool lose = _random.NextDouble() < loseAck;
            Lost += lose ? 1 : 0;
            return lose;
        }
    }

    private async ValueTask<AppendResult> AnswerAsync(int partition, ValueTask<AppendResult> task, int delayMs)
    {
        try
        {
            if (delayMs > 0)
            {
                await Task.Delay(delayMs, Ct);
            }

            return await task;
        }
        finally
        {
            lock (_gate)
            {
                _inFlight[partition]--;
            }
        }
    }
}

/// <summary>Holds every append of a producer until the test answers it (with the real append, or a failure).</summary>
internal sealed class HeldAppends
{
    private readonly Lock _gate = new();
    private readonly List<Call> _calls = [];

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _calls.Count;
            }
        }
    }

    public ValueTask<AppendResult> Hold(TopicPartition tp, Memory<byte> bytes, Func<ValueTask<AppendResult>> real)
    {
        var call = new Call(bytes.ToArray(), real);
        lock (_gate)
        {
            _calls.Add(call);
        }

        return new ValueTask<AppendResult>(call.Answer.Task);
    }

    public async Task WaitForAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for append {count}; {Count} arrived.");
            await Task.Delay(2, Ct);
        }
    }

    /// <summary>Runs the real append of call <paramref name="index"/> now and answers with its outcome.</summary>
    public async Task AnswerWithRealAsync(int index)
    {
        await WaitForAsync(index + 1);
        Call call = Get(index);
        try
        {
            call.Answer.SetResult(await call.Real());
        }
        catch (CommitLogException e)
        {
            call.Error = e;
            call.Answer.SetException(e);
        }
    }

    public void Fail(int index, Exception error)
    {
        Call call = Get(index);
        call.Error = error;
        call.Answer.SetException(error);
    }

    public Exception? Error(int index) => Get(index).Error;

    public RecordBatchHeader Header(int index) => RecordBatch.ReadAll(Get(index).Bytes).Single().Header;

    public string Value(int index) => Text(RecordBatch.ReadAll(Get(index).Bytes).Single().ToList().Single().Value);

    private Call Get(int index)
    {
        lock (_gate)
        {
            return _calls[index];
        }
    }

    private sealed class Call(byte[] bytes, Func<ValueTask<AppendResult>> real)
    {
        public byte[] Bytes { get; } = bytes;

        public Func<ValueTask<AppendResult>> Real { get; } = real;

        public TaskCompletionSource<AppendResult> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Exception? Error { get; set; }
    }
}

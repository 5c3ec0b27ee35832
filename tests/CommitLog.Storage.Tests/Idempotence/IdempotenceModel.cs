using static CommitLog.Storage.Tests.Idempotence.ProducerBatches;

namespace CommitLog.Storage.Tests.Idempotence;

/// <summary>The records the log must hold and the KIP-98 outcome each delivery must get.</summary>
internal sealed class IdempotenceModel
{
    private readonly List<(long ProducerId, short Epoch, int Sequence)> _records = [];
    private readonly Dictionary<long, (short Epoch, List<(int First, int Last, long Offset)> Batches)> _producers = [];

    public long EndOffset => _records.Count;

    public (string Outcome, long FirstOffset) Expect(long producerId, SentBatch batch)
    {
        if (!_producers.TryGetValue(producerId, out var state))
        {
            return ("appended", -1);
        }

        // Kafka's window: a retry of one of the last 5 batches of the current epoch is acknowledged again.
        var last = batch.Sequence + batch.Count - 1;
        var recent = state.Batches.TakeLast(5).ToList();
        var index = recent.FindIndex(b => b.First == batch.Sequence && b.Last == last);
        if (batch.Epoch == state.Epoch && index >= 0)
        {
            return ("duplicate", recent[index].Offset);
        }

        if (batch.Epoch < state.Epoch)
        {
            return (nameof(ProducerFencedException), -1);
        }

        var inSequence = batch.Epoch > state.Epoch ? batch.Sequence == 0 : batch.Sequence == state.Batches[^1].Last + 1;
        return (inSequence ? "appended" : nameof(OutOfOrderSequenceException), -1);
    }

    public void Append(long producerId, SentBatch batch, long firstOffset)
    {
        if (!_producers.TryGetValue(producerId, out var state) || state.Epoch != batch.Epoch)
        {
            state = (batch.Epoch, []);
            _producers[producerId] = state;
        }

        state.Batches.Add((batch.Sequence, batch.Sequence + batch.Count - 1, firstOffset));
        for (var i = 0; i < batch.Count; i++)
        {
            _records.Add((producerId, batch.Epoch, batch.Sequence + i));
        }
    }

    /// <summary>The log holds exactly the accepted records, each (producer, epoch, sequence) once and without gaps.</summary>
    public void Verify(PartitionLog log, List<string> steps)
    {
        var actual = ReadAll(log).Select(r => (r.ProducerId, r.Epoch, r.Sequence)).ToList();
        var context = string.Join(", ", steps);
        Assert.True(actual.Count == actual.Distinct().Count(), $"duplicate records after: {context}");
        foreach (var run in actual.GroupBy(r => (r.ProducerId, r.Epoch)))
        {
            var sequences = run.Select(r => r.Sequence).ToList();
            Assert.True(sequences.SequenceEqual(Enumerable.Range(0, sequences.Count)), $"producer {run.Key} has gaps {string.Join(",", sequences)} after: {context}");
        }

        Assert.True(_records.SequenceEqual(actual), $"the log differs from the accepted appends after: {context}");
        Assert.Equal(EndOffset, log.LogEndOffset);
    }
}

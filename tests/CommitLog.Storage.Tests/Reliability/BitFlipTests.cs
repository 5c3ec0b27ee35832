namespace CommitLog.Storage.Tests.Reliability;

/// <summary>
/// R3: every single-bit flip of a sealed segment, and of each index and checkpoint file, on a fresh copy of a small
/// partition: the log must reject it, report it on read (naming file and position), or return exactly the original
/// data; never wrong bytes, never silently fewer records.
/// </summary>
public class BitFlipTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SealedSegment_EveryBitFlipped_IsDetectedOrHarmless(bool cleanShutdown)
    {
        var check = await DamageCheck.BuildAsync(cleanShutdown, sealedBatches: 6, Ct);
        var length = check.Image.Files[DamageCheck.SealedLog].Length;
        var outcomes = new Dictionary<DamageOutcome, int>();
        var undetected = new List<long>();
        for (long bit = 0; bit < length * 8; bit++)
        {
            DamageOutcome outcome;
            try
            {
                outcome = check.Run(DamageCheck.SealedLog, b => Flip(b, bit));
            }
            catch (Exception e)
            {
                throw new ModelViolationException($"bit {bit} (byte {bit / 8}) of the sealed segment, clean shutdown {cleanShutdown}: {e}");
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            if (outcome is DamageOutcome.Intact or DamageOutcome.EpochChanged)
            {
                undetected.Add(bit);
            }
        }

        output.WriteLine($"{length * 8} bits: {string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}"))}");

        // Only the partitionLeaderEpoch field is outside the CRC and not checked against anything else; every other flip must be caught.
        var epochBytes = EpochByteRanges(check);
        var missed = undetected.Where(b => !epochBytes.Any(r => b / 8 >= r.Start && b / 8 < r.End)).ToList();
        Assert.True(missed.Count == 0, $"{missed.Count} flips outside the leader-epoch field went undetected, e.g. bit {missed.FirstOrDefault()} (byte {missed.FirstOrDefault() / 8})");
    }

    [Theory]
    [InlineData("00000000000000000000.index")]
    [InlineData("00000000000000000000.timeindex")]
    [InlineData("partition.checkpoint")]
    [InlineData("leader-epoch-checkpoint")]
    public async Task DerivedFile_EveryBitFlipped_IsRebuiltOrRejected(string file)
    {
        foreach (var clean in new[] { true, false })
        {
            var check = await DamageCheck.BuildAsync(clean, sealedBatches: 6, Ct);
            Assert.True(check.Image.Files.ContainsKey(file), $"{file} was not written");
            var length = check.Image.Files[file].Length;
            Assert.True(length > 0, $"{file} is empty");
            for (long bit = 0; bit < length * 8; bit++)
            {
                try
                {
                    var outcome = check.Run(file, b => Flip(b, bit));
                    Assert.True(outcome is not DamageOutcome.EpochChanged, "a batch came back with another leader epoch");
                }
                catch (Exception e)
                {
                    throw new ModelViolationException($"bit {bit} of {file}, clean shutdown {clean}: {e}");
                }
            }
        }
    }

    [Theory]
    [InlineData("00000000000000000000.index")]
    [InlineData("00000000000000000000.timeindex")]
    [InlineData("00000000000000000001.index")]
    [InlineData("partition.checkpoint")]
    [InlineData("leader-epoch-checkpoint")]
    [InlineData(DamageCheck.SealedLog)]
    public async Task AnyFile_GarbageOverwrites_AreRebuiltRejectedOrDetected(string file)
    {
        var check = await DamageCheck.BuildAsync(clean: true, sealedBatches: 6, Ct);
        var random = new Random(file.Length);
        for (var i = 0; i < 200; i++)
        {
            var seed = random.Next();
            try
            {
                check.Run(file, b => Garble(b, seed));
            }
            catch (Exception e)
            {
                throw new ModelViolationException($"garbage seed {seed} in {file}: {e}");
            }
        }
    }

    /// <summary>
    /// The time index has no checksum: a flipped key or offset must never send OffsetForTimestamp past earlier matching
    /// batches (e.g. OffsetForTimestamp(0) returning 1 instead of 0). Every flip of both the clean and the crashed
    /// image is checked against the answers of the undamaged log.
    /// </summary>
    [Fact]
    public async Task TimeIndex_EveryBitFlipped_OffsetForTimestampStaysCorrect()
    {
        const string file = "00000000000000000000.timeindex";
        foreach (var clean in new[] { true, false })
        {
            var check = await DamageCheck.BuildAsync(clean, sealedBatches: 6, Ct);
            for (long bit = 0; bit < check.Image.Files[file].Length * 8; bit++)
            {
                try
                {
                    check.Run(file, b => Flip(b, bit));
                }
                catch (Exception e)
                {
                    throw new ModelViolationException($"bit {bit} of {file}, clean shutdown {clean}: {e}");
                }
            }
        }
    }

    internal static byte[] Flip(byte[] bytes, long bit)
    {
        bytes[bit / 8] ^= (byte)(1 << (int)(bit % 8));
        return bytes;
    }

    /// <summary>Overwrites a random range with random bytes, or appends garbage, or cuts the file.</summary>
    internal static byte[] Garble(byte[] bytes, int seed)
    {
        var random = new Random(seed);
        switch (random.Next(3))
        {
            case 0 when bytes.Length > 0:
                var start = random.Next(bytes.Length);
                var span = bytes.AsSpan(start, random.Next(1, Math.Min(64, bytes.Length - start) + 1));
                random.NextBytes(span);
                return bytes;
            case 1:
                var extra = new byte[random.Next(1, 100)];
                random.NextBytes(extra);
                return [.. bytes, .. extra];
            default:
                return bytes[..random.Next(bytes.Length + 1)];
        }
    }

    private static List<(int Start, int End)> EpochByteRanges(DamageCheck check)
    {
        var ranges = new List<(int, int)>();
        var position = 0;
        foreach (var batch in check.Batches)
        {
            if (position >= check.Image.Files[DamageCheck.SealedLog].Length)
            {
                break;
            }

            ranges.Add((position + RecordBatchHeader.PartitionLeaderEpochOffset, position + RecordBatchHeader.PartitionLeaderEpochOffset + 4));
            position += batch.Length;
        }

        return ranges;
    }
}

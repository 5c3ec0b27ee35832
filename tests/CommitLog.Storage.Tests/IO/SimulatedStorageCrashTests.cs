using CommitLog.TestKit;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CommitLog.Storage.Tests.IO;

public sealed class SimulatedStorageCrashTests
{
    private const string Dir = "/sim/log";
    private const string FilePath = "/sim/log/00000000000000000000.log";

    [Property(MaxTest = 300)]
    public Property Crash_AnyModeAfterAppends_KeepsTheFlushedPrefix(int seed, PowerLossMode mode)
    {
        var (storage, flushed, written) = AppendScenario(seed);
        storage.Crash(mode, seed);
        byte[] after = storage.ReadAllBytes(FilePath);

        return (after.Length >= flushed.Length
                && after.AsSpan(0, flushed.Length).SequenceEqual(flushed)
                && after.Length <= written.Length)
            .Label($"mode {mode}, seed {seed}: {after.Length} bytes after, {flushed.Length} flushed, {written.Length} written");
    }

    [Fact]
    public void Crash_KeepPrefix_LeavesAPrefixOfTheWritesInOrder()
    {
        var keptCounts = new HashSet<int>();
        for (int seed = 0; seed < 60; seed++)
        {
            var (storage, flushed, _, chunks) = AppendScenarioWithChunks(seed);
            storage.Crash(PowerLossMode.KeepPrefix, seed);
            byte[] after = storage.ReadAllBytes(FilePath);

            int k = Enumerable.Range(0, chunks.Count + 1)
                .FirstOrDefault(n => after.SequenceEqual(flushed.Concat(chunks.Take(n).SelectMany(c => c))), -1);
            Assert.True(k >= 0, $"seed {seed}: the {after.Length} bytes left are not the flushed bytes plus a prefix of the writes");
            keptCounts.Add(k);
        }

        Assert.True(keptCounts.Count >= 3, $"only {keptCounts.Count} distinct prefixes over 60 seeds");
    }

    [Fact]
    public void Crash_TornWrite_DamagesAtMostTheSectorAfterTheCut()
    {
        int torn = 0;
        for (int seed = 0; seed < 100; seed++)
        {
            var (storage, flushed, written) = AppendScenario(seed);
            storage.Crash(PowerLossMode.TornWrite, seed);
            byte[] after = storage.ReadAllBytes(FilePath);

            int firstDifference = Enumerable.Range(0, after.Length).FirstOrDefault(i => after[i] != written[i], after.Length);
            Assert.True(firstDifference >= flushed.Length, $"seed {seed}: flushed byte {firstDifference} changed");
            Assert.True(
                after.Length - firstDifference <= 512, $"seed {seed}: {after.Length - firstDifference} damaged bytes, more than a sector");
            if (firstDifference < after.Length)
            {
                torn++;
            }
        }

        Assert.True(torn > 10, $"only {torn} of 100 crashes left a torn sector");
    }

    [Fact]
    public void Crash_ZeroFilledExtension_KeepsTheLengthButNotTheData()
    {
        var (storage, flushed, written) = AppendScenario(seed: 7);
        storage.Crash(PowerLossMode.ZeroFilledExtension, seed: 7);
        byte[] after = storage.ReadAllBytes(FilePath);

        Assert.Equal(written.Length, after.Length);
        Assert.Equal(flushed, after[..flushed.Length]);
        Assert.All(after[flushed.Length..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Crash_KeepRandomPages_LeavesEachPageOldOrNew()
    {
        var mixes = new HashSet<string>();
        for (int seed = 0; seed < 40; seed++)
        {
            var storage = SimulatedStorageTests.NewDurableDirectory();
            storage.WriteAllBytes(FilePath, Enumerable.Repeat((byte)0xAA, 4 * 4096).ToArray());
            storage.MakeEverythingDurable();
            using (var file = storage.OpenFile(FilePath, create: false))
            {
                file.Write(0, Enumerable.Repeat((byte)0xBB, 6 * 4096).ToArray());
            }

            storage.Crash(PowerLossMode.KeepRandomPages, seed);
            byte[] after = storage.ReadAllBytes(FilePath);

            Assert.True(after.Length is 4 * 4096 or 6 * 4096, $"seed {seed}: length {after.Length}");
            var pages = after.Chunk(4096).Select(p => p.Distinct().Single()).ToArray();
            Assert.All(pages, p => Assert.Contains(p, new byte[] { 0xAA, 0xBB, 0x00 }));
            Assert.All(pages[..4], p => Assert.NotEqual(0, p)); // pages that were durable never read as zeros
            mixes.Add(Convert.ToHexString(pages));
        }

        Assert.True(mixes.Count > 5, $"only {mixes.Count} distinct page mixes over 40 seeds");
    }

    [Fact]
    public void Crash_RandomMode_LosesSomeUnsyncedCreationsAndKeepsOthers()
    {
        var survivorCounts = new HashSet<int>();
        for (int seed = 0; seed < 30; seed++)
        {
            var storage = SimulatedStorageTests.NewDurableDirectory();
            for (int i = 0; i < 6; i++)
            {
                storage.WriteAllBytes($"{Dir}/{i}.log", [(byte)i]);
            }

            storage.Crash(PowerLossMode.Random, seed);
            survivorCounts.Add(storage.ListFiles(Dir).Count);
        }

        Assert.True(survivorCounts.Count > 2, string.Join(",", survivorCounts));
    }

    [Theory]
    [InlineData(PowerLossMode.Random)]
    [InlineData(PowerLossMode.TornWrite)]
    [InlineData(PowerLossMode.KeepRandomPages)]
    public void Crash_SameStateModeAndSeed_GivesTheSameDisk(PowerLossMode mode)
    {
        string Run()
        {
            var (storage, _, _) = AppendScenario(seed: 42);
            storage.WriteAllBytes(Dir + "/other.log", new byte[5000]);
            storage.Crash(mode, seed: 1234);
            return string.Join(";", storage.ListFiles(Dir).Select(n => n + "=" + Convert.ToHexString(storage.ReadAllBytes($"{Dir}/{n}"))));
        }

        Assert.Equal(Run(), Run());
    }

    private static (SimulatedStorage Storage, byte[] Flushed, byte[] Written) AppendScenario(int seed)
    {
        var (storage, flushed, written, _) = AppendScenarioWithChunks(seed);
        return (storage, flushed, written);
    }

    /// <summary>A durable file with some flushed bytes, then 1-6 unflushed appends of random non-zero bytes.</summary>
    private static (SimulatedStorage Storage, byte[] Flushed, byte[] Written, List<byte[]> Chunks) AppendScenarioWithChunks(int seed)
    {
        var random = new Random(seed);
        var storage = SimulatedStorageTests.NewDurableDirectory(seed);
        byte[] flushed = RandomNonZero(random, random.Next(0, 10_000));
        var chunks = Enumerable.Range(0, random.Next(1, 7)).Select(_ => RandomNonZero(random, random.Next(1, 6000))).ToList();
        using (var file = storage.OpenFile(FilePath, create: true))
        {
            storage.SyncDirectory(Dir);
            file.Write(0, flushed);
            file.Flush();
            long position = flushed.Length;
            foreach (byte[] chunk in chunks)
            {
                file.Write(position, chunk);
                position += chunk.Length;
            }
        }

        return (storage, flushed, [.. flushed, .. chunks.SelectMany(c => c)], chunks);
    }

    private static byte[] RandomNonZero(Random random, int length)
    {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)random.Next(1, 256);
        }

        return bytes;
    }
}

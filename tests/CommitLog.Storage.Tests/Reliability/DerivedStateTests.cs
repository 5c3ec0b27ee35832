namespace CommitLog.Storage.Tests.Reliability;

/// <summary>
/// R5: derived state (offset and time indexes, the partition checkpoint, the leader-epoch cache) deleted, truncated
/// at every length, or replaced by a stale copy from an older state of the log: the log rebuilds it from the data or
/// refuses to open with a clear error; reads, the epoch cache and timestamp lookups stay correct.
/// </summary>
public class DerivedStateTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, bool> Files => new()
    {
        { "00000000000000000000.index", true }, { "00000000000000000000.index", false },
        { "00000000000000000000.timeindex", true }, { "00000000000000000000.timeindex", false },
        { "00000000000000000009.index", true }, { "00000000000000000009.timeindex", false },
        { "partition.checkpoint", true }, { "partition.checkpoint", false },
        { "leader-epoch-checkpoint", true }, { "leader-epoch-checkpoint", false },
        { ".kafka_cleanshutdown", true },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task DerivedFile_DeletedTruncatedOrStale_IsRebuiltOrRejected(string file, bool cleanShutdown)
    {
        var check = await DamageCheck.BuildAsync(cleanShutdown, sealedBatches: 6, Ct);
        var older = await DamageCheck.BuildAsync(cleanShutdown, sealedBatches: 3, Ct);
        var exists = check.Image.Files.TryGetValue(file, out var content);
        Assert.True(exists || file.StartsWith("00000000000000000009", StringComparison.Ordinal), $"{file} was not written");
        var cases = new List<(string Name, Func<byte[], byte[]?> Change)> { ("deleted", _ => null) };
        for (var length = 0; length < (content?.Length ?? 0); length++)
        {
            var cut = length;
            cases.Add(($"truncated to {cut}", b => b[..cut]));
        }

        if (older.Image.Files.TryGetValue(file, out var stale))
        {
            cases.Add(("stale", _ => (byte[])stale.Clone()));
        }

        foreach (var (name, change) in cases)
        {
            try
            {
                check.Run(file, change);
            }
            catch (Exception e)
            {
                throw new ModelViolationException($"{file} {name}, clean shutdown {cleanShutdown}: {e}");
            }
        }
    }
}

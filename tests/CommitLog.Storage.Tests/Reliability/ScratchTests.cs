namespace CommitLog.Storage.Tests.Reliability;

public class ScratchTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Scratch()
    {
        var seed = int.Parse(Environment.GetEnvironmentVariable("SEED") ?? "10");
        var m = typeof(PowerLossTests).GetMethod("RandomCodes", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        var args = new object?[] { seed, null, null };
        var codes = (int[])m.Invoke(null, args)!;
        var crashAt = (long)args[1]!;
        var mode = (CommitLog.TestKit.PowerLossMode)args[2]!;
        await using var h = new LogHarness(crashAt);
        try
        {
            h.Open(LogOps.PolicyOf(seed));
            foreach (var code in codes)
            {
                output.WriteLine($"op {LogOps.Describe(code)} calls {h.TotalCalls} start {h.Model.Start} end {h.Model.End} flushed {h.Model.FlushedEnd} segs {string.Join(",", h.Log.SegmentBaseOffsets)}");
                await LogOps.ApplyAsync(h, code, TestContext.Current.CancellationToken);
            }
        }
        catch (ProcessDiedException e) { output.WriteLine("died " + e.InnerException?.Message); }
        foreach (var e in h.Disk.Events.TakeLast(int.Parse(Environment.GetEnvironmentVariable("N") ?? "60"))) output.WriteLine(e.ToString());
        foreach (var u in h.Disk.UnsyncedDirectoryChanges) output.WriteLine("unsynced " + u);
        output.WriteLine($"model start {h.Model.Start} end {h.Model.End} flushed {h.Model.FlushedEnd}");
        try { await h.CrashAndReopenAsync(mode, seed, final: true); } catch (Exception e) { output.WriteLine(e.Message); }
        Assert.Fail("show");
    }
}

namespace CommitLog.IntegrationTests.IO;

/// <summary>
/// R6 on the real file system: a child process calls the durability barrier under <c>strace</c>, which makes the
/// kernel calls fail, and reports what each API observed.
/// </summary>
public sealed class DurabilityBarrierFaultTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "commitlog-io-" + Guid.NewGuid().ToString("N"));

    public DurabilityBarrierFaultTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Flush_WhenFdatasyncFailsWithEio_ThrowsWhereDotNetsFlushToDiskStaysSilent()
    {
        var ct = TestContext.Current.CancellationToken;
        string strace = await ChildProcess.RequireStraceAsync(ct);

        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(
            strace,
            ["-f", "-qq", "-e", "trace=fdatasync,fsync", "-e", "inject=fdatasync,fsync:error=EIO",
                ChildProcess.DotNetHost, ChildProcess.FaultChildDll, "flush", _dir],
            ct);
        var results = ParseResults(stdout);

        Assert.True(exitCode == 0, $"child exited with {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains("fdatasync(", stderr, StringComparison.Ordinal);
        Assert.Contains("EIO (Input/output error) (INJECTED)", stderr, StringComparison.Ordinal);

        // The barrier checks fdatasync's result: the injected EIO must surface. A barrier built on
        // FileStream.Flush(true) or RandomAccess.FlushToDisk would report "ok" here.
        Assert.StartsWith("IOException: ", results["barrier"], StringComparison.Ordinal);
        Assert.Contains("fdatasync returned EIO (errno 5", results["barrier"], StringComparison.Ordinal);
        Assert.StartsWith("IOException: ", results["syncdir"], StringComparison.Ordinal);
        Assert.Contains("fsync returned EIO", results["syncdir"], StringComparison.Ordinal);

        // The platform trap this design exists for (RELIABILITY.md §2): .NET's own flush APIs return normally although
        // fsync failed. If these two start failing, the runtime now reports the error and the section can be updated.
        Assert.True(results["flushtodisk"] == "ok", "RandomAccess.FlushToDisk now reports a failed fsync: " + results["flushtodisk"]);
        Assert.True(results["filestream"] == "ok", "FileStream.Flush(true) now reports a failed fsync: " + results["filestream"]);
    }

    [Fact]
    public async Task Flush_WhenOnlyTheFirstFdatasyncFails_BarrierReportsItAndDirectorySyncSucceeds()
    {
        var ct = TestContext.Current.CancellationToken;
        string strace = await ChildProcess.RequireStraceAsync(ct);

        // when=1 fails the first fdatasync only; FlushToDisk and the directory use fsync and are not injected.
        var (_, stdout, stderr) = await ChildProcess.RunAsync(
            strace,
            ["-f", "-qq", "-e", "trace=fdatasync", "-e", "inject=fdatasync:error=EIO:when=1",
                ChildProcess.DotNetHost, ChildProcess.FaultChildDll, "flush", _dir],
            ct);
        var results = ParseResults(stdout);

        Assert.Contains("(INJECTED)", stderr, StringComparison.Ordinal);
        Assert.StartsWith("IOException: ", results["barrier"], StringComparison.Ordinal);
        Assert.Equal("ok", results["syncdir"]);
    }

    [Theory]
    [InlineData("EIO", "EIO (errno 5", false)]
    [InlineData("ENOSPC", "ENOSPC (errno 28", true)]
    public async Task Write_WhenPwriteFails_ThrowsIOExceptionNamingTheErrno(string errno, string expected, bool diskFull)
    {
        var ct = TestContext.Current.CancellationToken;
        string strace = await ChildProcess.RequireStraceAsync(ct);

        var (_, stdout, stderr) = await ChildProcess.RunAsync(
            strace,
            ["-f", "-qq", "-e", "trace=pwrite64", "-e", $"inject=pwrite64:error={errno}",
                ChildProcess.DotNetHost, ChildProcess.FaultChildDll, "write", _dir],
            ct);
        var results = ParseResults(stdout);

        Assert.Contains("(INJECTED)", stderr, StringComparison.Ordinal);
        Assert.StartsWith("IOException: Writing 4096 bytes at position 0", results["write"], StringComparison.Ordinal);
        Assert.Contains(expected, results["write"], StringComparison.Ordinal);
        Assert.Equal(diskFull, results["write"].Contains("The disk is full", StringComparison.Ordinal));
    }

    private static Dictionary<string, string> ParseResults(string stdout)
        => stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(": ", 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1]);
}

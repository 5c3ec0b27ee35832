using System.Diagnostics;
using CommitLog.Storage;
using CommitLog.Storage.IO;

namespace CommitLog.IntegrationTests.IO;

/// <summary>The directory lock against another process, using the util-linux <c>flock</c> command as that process.</summary>
public sealed class DirectoryLockProcessTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "commitlog-lock-" + Guid.NewGuid().ToString("N"));

    public DirectoryLockProcessTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task LockDirectory_Held_IsRefusedToAnotherProcessUntilDisposed()
    {
        var ct = TestContext.Current.CancellationToken;
        string flock = RequireFlock();
        string lockFile = Path.Combine(_dir, ".lock");

        using (FileSegmentStorage.Instance.LockDirectory(_dir))
        {
            var (held, _, _) = await ChildProcess.RunAsync(flock, ["-n", "-E", "99", lockFile, "true"], ct);
            Assert.Equal(99, held);
        }

        var (free, _, stderr) = await ChildProcess.RunAsync(flock, ["-n", "-E", "99", lockFile, "true"], ct);
        Assert.True(free == 0, stderr);
    }

    [Fact]
    public async Task LockDirectory_HeldByAnotherProcess_ThrowsLogDirectoryLocked()
    {
        var ct = TestContext.Current.CancellationToken;
        string flock = RequireFlock();
        string lockFile = Path.Combine(_dir, ".lock");
        using var holder = Process.Start(new ProcessStartInfo(flock) { ArgumentList = { "-x", lockFile, "sleep", "60" } })!;
        try
        {
            // Wait until the other process holds the lock.
            var watch = Stopwatch.StartNew();
            while ((await ChildProcess.RunAsync(flock, ["-n", "-E", "99", lockFile, "true"], ct)).ExitCode != 99)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "the flock holder never took the lock");
                await Task.Delay(50, ct);
            }

            var refused = Assert.Throws<LogDirectoryLockedException>(() => FileSegmentStorage.Instance.LockDirectory(_dir));
            Assert.Equal(ErrorCode.LogDirectoryLocked, refused.ErrorCode);
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            await holder.WaitForExitAsync(CancellationToken.None);
        }

        // The kernel drops the lock once every process holding the file is gone (the kill is asynchronous).
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                FileSegmentStorage.Instance.LockDirectory(_dir).Dispose();
                break;
            }
            catch (LogDirectoryLockedException) when (deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(20, ct);
            }
        }
    }

    private static string RequireFlock()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "The cross-process lock test uses util-linux flock (Linux).");
        string? flock = ChildProcess.FindOnPath("flock");
        Assert.SkipWhen(flock is null, "The flock command (util-linux) is not installed.");
        return flock!;
    }
}

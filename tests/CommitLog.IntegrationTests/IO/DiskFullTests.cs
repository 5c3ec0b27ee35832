using System.Diagnostics;
using CommitLog.Storage.IO;

namespace CommitLog.IntegrationTests.IO;

/// <summary>R6, real ENOSPC: a 1 MiB tmpfs is filled through <see cref="FileSegmentStorage"/>, then space is freed.</summary>
public sealed class DiskFullTests
{
    [Fact]
    public async Task Write_OnAFullDisk_ThrowsDiskFullAndWorksAgainOnceSpaceIsFreed()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.SkipUnless(OperatingSystem.IsLinux(), "The tmpfs disk-full test runs on Linux only.");
        string mountPoint = Path.Combine(Path.GetTempPath(), "commitlog-enospc-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mountPoint);
        try
        {
            var (exitCode, _, stderr) = await ChildProcess.RunAsync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint], ct);
            Assert.SkipWhen(exitCode != 0, $"Cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN): {stderr.Trim()}");
            try
            {
                FillFreeAndResume(mountPoint);
            }
            finally
            {
                var (umountCode, _, _) = await ChildProcess.RunAsync("umount", [mountPoint], CancellationToken.None);
                if (umountCode != 0)
                {
                    await ChildProcess.RunAsync("umount", ["-l", mountPoint], CancellationToken.None);
                }
            }
        }
        finally
        {
            Directory.Delete(mountPoint, recursive: true);
        }
    }

    private static void FillFreeAndResume(string directory)
    {
        var storage = FileSegmentStorage.Instance;
        string fillerPath = Path.Combine(directory, "filler");
        using (var filler = storage.OpenFile(fillerPath, create: true))
        {
            filler.Write(0, new byte[512 * 1024]);
            filler.Flush();
        }

        using var log = storage.OpenFile(Path.Combine(directory, "00000000000000000000.log"), create: true);
        byte[] chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)0x5A);
        long position = 0;
        IOException? full = null;
        var watch = Stopwatch.StartNew();
        while (full is null && watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                log.Write(position, chunk);
                position += chunk.Length;
            }
            catch (IOException e)
            {
                full = e;
            }
        }

        Assert.NotNull(full);
        Assert.True(IOErrors.IsDiskFull(full), full.ToString());
        Assert.Equal(IOErrors.ENOSPC, full.HResult);
        Assert.Contains("ENOSPC (errno 28: No space left on device)", full.Message, StringComparison.Ordinal);
        Assert.Contains("The disk is full", full.Message, StringComparison.Ordinal);
        Assert.Contains($"at position {position}", full.Message, StringComparison.Ordinal);
        Assert.InRange(position, 256 * 1024, 1024 * 1024);

        // What was written before is intact, and the log can cut the partial write off.
        byte[] check = new byte[chunk.Length];
        Assert.Equal(chunk.Length, log.Read(0, check));
        Assert.Equal(chunk, check);
        log.SetLength(position);

        storage.DeleteFile(fillerPath);
        storage.SyncDirectory(directory);
        log.Write(position, chunk);
        log.Flush();
        Assert.Equal(position + chunk.Length, log.Length);
    }
}

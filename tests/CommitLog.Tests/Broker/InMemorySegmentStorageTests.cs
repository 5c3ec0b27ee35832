using CommitLog.Storage;
using CommitLog.Storage.IO;

namespace CommitLog.Tests.Broker;

public class InMemorySegmentStorageTests
{
    private static readonly string Root = Path.GetFullPath("/mem");

    [Fact]
    public void Files_WriteReadSetLengthRename_BehaveLikeAFileSystem()
    {
        var storage = new InMemorySegmentStorage();
        storage.CreateDirectory(Path.Combine(Root, "a", "b"));
        string path = Path.Combine(Root, "a", "b", "f.log");
        using (ISegmentFile file = storage.OpenFile(path, create: true))
        {
            file.Write(10, [1, 2, 3]);
            Assert.Equal(13, file.Length);
            var buffer = new byte[20];
            Assert.Equal(13, file.Read(0, buffer));
            Assert.Equal(new byte[] { 0, 0, 1, 2, 3 }, buffer[8..13]);
            file.SetLength(11);
            file.SetLength(14);
            Assert.Equal(14, file.Read(0, buffer));
            Assert.Equal(new byte[] { 1, 0, 0, 0 }, buffer[10..14]);
        }

        storage.RenameFile(path, Path.Combine(Root, "a", "g.log"));
        Assert.False(storage.FileExists(path));
        Assert.Equal(["g.log"], storage.ListFiles(Path.Combine(Root, "a")));
        Assert.Equal(["b"], storage.ListDirectories(Path.Combine(Root, "a")));
        Assert.Throws<FileNotFoundException>(() => storage.OpenFile(path, create: false));
        Assert.Throws<DirectoryNotFoundException>(() => storage.OpenFile(Path.Combine(Root, "x", "y"), create: true));
        Assert.Throws<IOException>(() => storage.DeleteDirectory(Path.Combine(Root, "a")));
        storage.DeleteDirectory(Path.Combine(Root, "a", "b"));
        Assert.False(storage.DirectoryExists(Path.Combine(Root, "a", "b")));
    }

    [Fact]
    public void LockDirectory_Twice_ThrowsUntilReleased()
    {
        var storage = new InMemorySegmentStorage();
        IDisposable held = storage.LockDirectory(Root);

        Assert.Throws<LogDirectoryLockedException>(() => storage.LockDirectory(Root));

        held.Dispose();
        storage.LockDirectory(Root).Dispose();
    }

    [Fact]
    public async Task PartitionLog_OverInMemoryStorage_ReopensWithItsData()
    {
        var storage = new InMemorySegmentStorage();
        var options = new LogOptions { Storage = storage, RetentionCheckInterval = null };
        string directory = Path.Combine(Root, "orders-0");
        await using (var log = PartitionLog.Open(directory, options))
        {
            await log.AppendAsync(Batches.Of("a", "b"), TestContext.Current.CancellationToken);
        }

        await using var reopened = PartitionLog.Open(directory, options);
        Assert.Equal(2, reopened.LogEndOffset);
        Assert.True(storage.UsedBytes > 0);
    }
}

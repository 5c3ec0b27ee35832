using CommitLog.TestKit;

namespace CommitLog.Storage.Tests.IO;

public sealed class SimulatedStorageTests
{
    private const string Dir = "/sim/log";
    private const string FilePath = "/sim/log/00000000000000000000.log";

    [Fact]
    public void Crash_DropUnflushed_KeepsFlushedAndLosesUnflushedWrites()
    {
        var storage = NewDurableDirectory();
        using (var file = storage.OpenFile(FilePath, create: true))
        {
            storage.SyncDirectory(Dir);
            file.Write(0, "abc"u8);
            file.Flush();
            file.Write(3, "def"u8);
            Assert.Equal("abcdef"u8.ToArray(), storage.ReadAllBytes(FilePath));
        }

        storage.Crash(PowerLossMode.DropUnflushed, seed: 1);

        Assert.Equal("abc"u8.ToArray(), storage.ReadAllBytes(FilePath));
    }

    [Fact]
    public void Crash_ProcessCrash_KeepsEveryCompletedWriteAndDirectoryChange()
    {
        var storage = NewDurableDirectory();
        using (var file = storage.OpenFile(FilePath, create: true))
        {
            file.Write(0, "abcdef"u8);
        }

        storage.Crash(PowerLossMode.ProcessCrash, seed: 1);

        Assert.Equal("abcdef"u8.ToArray(), storage.ReadAllBytes(FilePath));
    }

    [Fact]
    public void Crash_FileCreatedWithoutDirectorySync_Vanishes()
    {
        var storage = NewDurableDirectory();
        using (var file = storage.OpenFile(FilePath, create: true))
        {
            file.Write(0, "abc"u8);
            file.Flush(); // the data is durable, but the name is not
        }

        Assert.Single(storage.UnsyncedDirectoryChanges);
        storage.Crash(PowerLossMode.DropUnflushed, seed: 1);

        Assert.False(storage.FileExists(FilePath));
        Assert.Empty(storage.ListFiles(Dir));
    }

    [Fact]
    public void Crash_FileCreatedAndDirectorySynced_Survives()
    {
        var storage = NewDurableDirectory();
        using (var file = storage.OpenFile(FilePath, create: true))
        {
            file.Write(0, "abc"u8);
            file.Flush();
        }

        storage.SyncDirectory(Dir);
        Assert.Empty(storage.UnsyncedDirectoryChanges);
        storage.Crash(PowerLossMode.DropUnflushed, seed: 1);

        Assert.Equal("abc"u8.ToArray(), storage.ReadAllBytes(FilePath));
    }

    [Fact]
    public void Crash_RenameWithoutDirectorySync_Reverts()
    {
        var storage = NewDurableDirectory();
        storage.WriteAllBytes(Dir + "/a.tmp", "new"u8);
        storage.WriteAllBytes(Dir + "/a", "old"u8);
        storage.MakeEverythingDurable();

        storage.RenameFile(Dir + "/a.tmp", Dir + "/a");
        Assert.Equal("new"u8.ToArray(), storage.ReadAllBytes(Dir + "/a"));
        storage.Crash(PowerLossMode.DropUnflushed, seed: 1);

        Assert.Equal("old"u8.ToArray(), storage.ReadAllBytes(Dir + "/a"));
        Assert.Equal("new"u8.ToArray(), storage.ReadAllBytes(Dir + "/a.tmp"));
    }

    [Fact]
    public void Crash_RenameAfterDirectorySync_IsKept()
    {
        var storage = NewDurableDirectory();
        storage.WriteAllBytes(Dir + "/a.tmp", "new"u8);
        storage.WriteAllBytes(Dir + "/a", "old"u8);
        storage.MakeEverythingDurable();

        storage.RenameFile(Dir + "/a.tmp", Dir + "/a");
        storage.SyncDirectory(Dir);
        storage.Crash(PowerLossMode.DropUnflushed, seed: 1);

        Assert.Equal("new"u8.ToArray(), storage.ReadAllBytes(Dir + "/a"));
        Assert.False(storage.FileExists(Dir + "/a.tmp"));
    }

    [Fact]
    public void Crash_DeleteWithoutDirectorySync_IsUndone()
    {
        var storage = NewDurableDirectory();
        storage.WriteAllBytes(FilePath, "abc"u8);
        storage.MakeEverythingDurable();

        storage.DeleteFile(FilePath);
        Assert.False(storage.FileExists(FilePath));
        storage.Crash(PowerLossMode.DropUnflushed, seed: 1);

        Assert.Equal("abc"u8.ToArray(), storage.ReadAllBytes(FilePath));
    }

    [Fact]
    public void Crash_DirectoryCreatedWithoutParentSync_VanishesWithItsFiles()
    {
        var storage = new SimulatedStorage();
        storage.CreateDirectory("/sim");
        storage.SyncDirectory("/");
        storage.CreateDirectory(Dir);
        storage.WriteAllBytes(FilePath, "abc"u8);
        storage.SyncDirectory(Dir);     // the file's name is durable in the directory...
        storage.Crash(PowerLossMode.DropUnflushed, seed: 1);

        Assert.True(storage.DirectoryExists("/sim"));
        Assert.False(storage.DirectoryExists(Dir)); // ...but the directory's own name in /sim was never synced
        Assert.False(storage.FileExists(FilePath));
    }

    [Fact]
    public void Crash_OpenFiles_BecomeUnusableAndLocksAreReleased()
    {
        var storage = NewDurableDirectory();
        var file = storage.OpenFile(FilePath, create: true);
        using var held = storage.LockDirectory(Dir);

        storage.Crash(PowerLossMode.ProcessCrash, seed: 1);

        Assert.Throws<IOException>(() => file.Write(0, "x"u8));
        Assert.Throws<IOException>(() => file.Read(0, new byte[1]));
        Assert.Throws<IOException>(file.Flush);
        Assert.Throws<IOException>(() => _ = file.Length);
        using var again = storage.LockDirectory(Dir);
        file.Dispose();
    }

    [Fact]
    public void LockDirectory_SecondLock_IsRefusedUntilTheFirstIsDisposed()
    {
        var storage = NewDurableDirectory();
        var first = storage.LockDirectory(Dir);

        var refused = Assert.Throws<LogDirectoryLockedException>(() => storage.LockDirectory(Dir + "/"));
        Assert.Equal(ErrorCode.LogDirectoryLocked, refused.ErrorCode);

        first.Dispose();
        using var second = storage.LockDirectory(Dir);
    }

    [Fact]
    public void OpenFile_MissingWithoutCreate_ThrowsFileNotFound()
    {
        var storage = NewDurableDirectory();

        Assert.Throws<FileNotFoundException>(() => storage.OpenFile(FilePath, create: false));
        Assert.Throws<DirectoryNotFoundException>(() => storage.OpenFile("/nowhere/x.log", create: true));
    }

    [Fact]
    public void Read_PastTheEnd_ReturnsOnlyTheBytesThatExist()
    {
        var storage = NewDurableDirectory();
        using var file = storage.OpenFile(FilePath, create: true);
        file.Write(0, "abcdef"u8);

        var buffer = new byte[10];
        Assert.Equal(2, file.Read(4, buffer));
        Assert.Equal("ef"u8.ToArray(), buffer[..2]);
        Assert.Equal(0, file.Read(6, buffer));
        file.SetLength(3);
        Assert.Equal(3, file.Length);
        file.SetLength(5);
        Assert.Equal(new byte[] { (byte)'a', (byte)'b', (byte)'c', 0, 0 }, storage.ReadAllBytes(FilePath));
    }

    [Fact]
    public void FlipBit_ChangesDurableAndVolatileContent()
    {
        var storage = NewDurableDirectory();
        storage.WriteAllBytes(FilePath, [0, 0]);
        storage.MakeEverythingDurable();

        storage.FlipBit(FilePath, 9);
        Assert.Equal(new byte[] { 0, 2 }, storage.ReadAllBytes(FilePath));
        storage.Crash(PowerLossMode.DropUnflushed, seed: 1);

        Assert.Equal(new byte[] { 0, 2 }, storage.ReadAllBytes(FilePath));
        Assert.Throws<ArgumentOutOfRangeException>(() => storage.FlipBit(FilePath, 16));
    }

    [Fact]
    public void Events_RecordTheSequenceOfCalls()
    {
        var storage = NewDurableDirectory();
        storage.ClearEvents();
        using (var file = storage.OpenFile(FilePath, create: true))
        {
            file.Write(0, "a"u8);
            file.Flush();
        }

        storage.RenameFile(FilePath, Dir + "/b");
        storage.SyncDirectory(Dir);

        Assert.Equal(
            [StorageOperation.Open, StorageOperation.Write, StorageOperation.Flush, StorageOperation.Close, StorageOperation.Rename,
                StorageOperation.SyncDirectory],
            storage.Events.Select(e => e.Operation));
        Assert.Equal(Dir + "/b", storage.Events[4].Destination);
        Assert.Equal(1, storage.CallCount(StorageOperation.Rename));
    }

    [Fact]
    public async Task Calls_FromManyThreads_KeepEveryWrite()
    {
        var storage = NewDurableDirectory();
        var ct = TestContext.Current.CancellationToken;
        await Parallel.ForAsync(0, 8, ct, async (writer, token) =>
        {
            await Task.Yield();
            using var file = storage.OpenFile($"{Dir}/{writer}.log", create: true);
            for (int i = 0; i < 200; i++)
            {
                file.Write(i, [(byte)writer]);
                Assert.Equal(1, file.Read(i, new byte[1]));
            }
        });

        for (int writer = 0; writer < 8; writer++)
        {
            Assert.All(storage.ReadAllBytes($"{Dir}/{writer}.log"), b => Assert.Equal(writer, b));
            Assert.Equal(200, storage.ReadAllBytes($"{Dir}/{writer}.log").Length);
        }
    }

    internal static SimulatedStorage NewDurableDirectory(int seed = 0)
    {
        var storage = new SimulatedStorage(seed);
        storage.CreateDirectory(Dir);
        storage.MakeEverythingDurable();
        return storage;
    }
}

using CommitLog.Storage.IO;
using CommitLog.TestKit;

namespace CommitLog.Storage.Tests.IO;

public sealed class SimulatedStorageFaultTests
{
    private const string Dir = "/sim/log";
    private const string FilePath = "/sim/log/00000000000000000000.log";

    [Fact]
    public void FailNth_Write_FailsExactlyThatCallWithEio()
    {
        var storage = SimulatedStorageTests.NewDurableDirectory();
        using var file = storage.OpenFile(FilePath, create: true);
        storage.FailNth(StorageOperation.Write, 3);

        file.Write(0, "a"u8);
        file.Write(1, "b"u8);
        var error = Assert.Throws<IOException>(() => file.Write(2, "c"u8));
        file.Write(2, "d"u8);

        Assert.Equal(IOErrors.DeviceErrorCode, error.HResult);
        Assert.Contains("EIO", error.Message, StringComparison.Ordinal);
        Assert.False(IOErrors.IsDiskFull(error));
        Assert.Equal("abd"u8.ToArray(), storage.ReadAllBytes(FilePath));
        Assert.Equal(4, storage.CallCount(StorageOperation.Write));
        Assert.Single(storage.Events, e => e.Failed && e.Operation == StorageOperation.Write);
    }

    [Fact]
    public void AddFault_PersistentWithPathFilter_FailsEveryMatchingCallFromTheNth()
    {
        var storage = SimulatedStorageTests.NewDurableDirectory();
        storage.AddFault(new StorageFaultRule
        {
            Operation = StorageOperation.Flush, Nth = 2, Persistent = true, Kind = StorageFaultKind.DiskFull,
            PathFilter = p => p.EndsWith(".index", StringComparison.Ordinal),
        });
        using var log = storage.OpenFile(FilePath, create: true);
        using var index = storage.OpenFile(Dir + "/0.index", create: true);

        index.Flush();
        var error = Assert.Throws<IOException>(index.Flush);
        Assert.Throws<IOException>(index.Flush);
        log.Flush();
        log.Flush();

        Assert.True(IOErrors.IsDiskFull(error));
        Assert.Contains("ENOSPC", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FailedFlush_ThenSuccessfulRetry_StillLosesTheWritesOnCrash()
    {
        var storage = SimulatedStorageTests.NewDurableDirectory();
        using (var file = storage.OpenFile(FilePath, create: true))
        {
            storage.SyncDirectory(Dir);
            file.Write(0, "durable"u8);
            file.Flush();
            file.Write(7, "-lost"u8);
            storage.FailNth(StorageOperation.Flush, 1);
            Assert.Throws<IOException>(file.Flush);
            file.Flush(); // "succeeds", as a retried fsync does on Linux after the kernel dropped the dirty pages
            Assert.Equal("durable-lost"u8.ToArray(), storage.ReadAllBytes(FilePath));
        }

        storage.Crash(PowerLossMode.DropUnflushed, seed: 1);

        Assert.Equal("durable\0\0\0\0\0"u8.ToArray(), storage.ReadAllBytes(FilePath));
    }

    [Fact]
    public void PartialWrite_FailingWrite_LeavesAPrefixOfItsBytes()
    {
        var lengths = new HashSet<int>();
        for (int seed = 0; seed < 20; seed++)
        {
            var storage = SimulatedStorageTests.NewDurableDirectory(seed);
            using var file = storage.OpenFile(FilePath, create: true);
            storage.AddFault(new StorageFaultRule { Operation = StorageOperation.Write, PartialWrite = true });
            byte[] data = Enumerable.Range(1, 200).Select(i => (byte)i).ToArray();

            Assert.Throws<IOException>(() => file.Write(0, data));

            byte[] left = storage.ReadAllBytes(FilePath);
            Assert.Equal(data[..left.Length], left);
            lengths.Add(left.Length);
        }

        Assert.True(lengths.Count > 3);
    }

    [Theory]
    [InlineData(StorageOperation.Rename)]
    [InlineData(StorageOperation.Delete)]
    [InlineData(StorageOperation.SyncDirectory)]
    [InlineData(StorageOperation.Open)]
    [InlineData(StorageOperation.SetLength)]
    [InlineData(StorageOperation.Read)]
    [InlineData(StorageOperation.List)]
    [InlineData(StorageOperation.CreateDirectory)]
    [InlineData(StorageOperation.Lock)]
    public void FailNth_AnyOperation_ThrowsAndChangesNothing(StorageOperation operation)
    {
        var storage = SimulatedStorageTests.NewDurableDirectory();
        storage.WriteAllBytes(FilePath, "abc"u8);
        using var file = storage.OpenFile(FilePath, create: false);
        storage.FailNth(operation, 1);

        Action call = operation switch
        {
            StorageOperation.Rename => () => storage.RenameFile(FilePath, Dir + "/b"),
            StorageOperation.Delete => () => storage.DeleteFile(FilePath),
            StorageOperation.SyncDirectory => () => storage.SyncDirectory(Dir),
            StorageOperation.Open => () => storage.OpenFile(Dir + "/new", create: true),
            StorageOperation.SetLength => () => file.SetLength(0),
            StorageOperation.Read => () => file.Read(0, new byte[3]),
            StorageOperation.List => () => storage.ListFiles(Dir),
            StorageOperation.CreateDirectory => () => storage.CreateDirectory(Dir + "/sub"),
            StorageOperation.Lock => () => storage.LockDirectory(Dir),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };

        Assert.Throws<IOException>(call);
        Assert.Equal(["00000000000000000000.log"], storage.ListFiles(Dir));
        Assert.Equal("abc"u8.ToArray(), storage.ReadAllBytes(FilePath));
        Assert.False(storage.DirectoryExists(Dir + "/sub"));
        call(); // the fault fired once
    }

    [Fact]
    public void CapacityBytes_WriteBeyond_WritesWhatFitsThenResumesOnceSpaceIsFreed()
    {
        var storage = SimulatedStorageTests.NewDurableDirectory();
        storage.CapacityBytes = 100;
        storage.WriteAllBytes(Dir + "/filler", new byte[60]);
        using var file = storage.OpenFile(FilePath, create: true);

        var error = Assert.Throws<IOException>(() => file.Write(0, new byte[50]));
        Assert.True(IOErrors.IsDiskFull(error));
        Assert.Equal(40, file.Length);
        Assert.Equal(100, storage.UsedBytes);
        Assert.Throws<IOException>(() => file.SetLength(41));

        storage.DeleteFile(Dir + "/filler");
        file.Write(0, new byte[50]);
        Assert.Equal(50, file.Length);
    }

    [Fact]
    public void CapacityBytes_DeletedButOpenFile_KeepsItsSpaceUntilClosed()
    {
        var storage = SimulatedStorageTests.NewDurableDirectory();
        storage.CapacityBytes = 100;
        var filler = storage.OpenFile(Dir + "/filler", create: true);
        filler.Write(0, new byte[80]);
        using var file = storage.OpenFile(FilePath, create: true);

        storage.DeleteFile(Dir + "/filler");
        Assert.Throws<IOException>(() => file.Write(0, new byte[50]));

        filler.Dispose();
        file.Write(0, new byte[50]);
    }
}

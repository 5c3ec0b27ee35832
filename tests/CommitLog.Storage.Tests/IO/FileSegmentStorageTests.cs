using CommitLog.Storage.IO;
using CommitLog.TestKit;

namespace CommitLog.Storage.Tests.IO;

public sealed class FileSegmentStorageTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FileSegmentStorage _storage = FileSegmentStorage.Instance;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WriteThenRead_AtPositions_ReturnsTheBytes()
    {
        using var file = _storage.OpenFile(_dir.File("a.log"), create: true);
        file.Write(0, "hello"u8);
        file.Write(5, " world"u8);
        file.Write(0, "J"u8);

        var buffer = new byte[20];
        int read = file.Read(0, buffer);

        Assert.Equal("Jello world"u8.ToArray(), buffer[..read]);
        Assert.Equal(11, file.Length);
        Assert.Equal(3, file.Read(8, buffer));
        Assert.Equal(0, file.Read(11, buffer));
        Assert.Equal("Jello world"u8.ToArray(), File.ReadAllBytes(_dir.File("a.log")));
    }

    [Fact]
    public void Write_BeyondTheEnd_ExtendsTheFileWithZeros()
    {
        using var file = _storage.OpenFile(_dir.File("a.log"), create: true);
        file.Write(4, "x"u8);

        Assert.Equal(new byte[] { 0, 0, 0, 0, (byte)'x' }, File.ReadAllBytes(_dir.File("a.log")));
    }

    [Fact]
    public void SetLength_TruncatesAndExtends()
    {
        using var file = _storage.OpenFile(_dir.File("a.log"), create: true);
        file.Write(0, "abcdef"u8);

        file.SetLength(2);
        Assert.Equal(2, file.Length);
        file.SetLength(4);

        Assert.Equal(new byte[] { (byte)'a', (byte)'b', 0, 0 }, File.ReadAllBytes(_dir.File("a.log")));
    }

    [Fact]
    public void FlushAndSyncDirectory_OnAHealthyDisk_Succeed()
    {
        using var file = _storage.OpenFile(_dir.File("a.log"), create: true);
        file.Write(0, "abc"u8);

        file.Flush();
        _storage.SyncDirectory(_dir.Path);

        Assert.Equal(3, new FileInfo(_dir.File("a.log")).Length);
    }

    [Fact]
    public void SyncDirectory_MissingDirectory_ThrowsDirectoryNotFound()
        => Assert.Throws<DirectoryNotFoundException>(() => _storage.SyncDirectory(_dir.File("missing")));

    [Fact]
    public void OpenFile_MissingWithoutCreate_ThrowsFileNotFound()
        => Assert.Throws<FileNotFoundException>(() => _storage.OpenFile(_dir.File("missing.log"), create: false));

    [Fact]
    public void OpenFile_Existing_KeepsTheContent()
    {
        File.WriteAllBytes(_dir.File("a.log"), [1, 2, 3]);

        using var file = _storage.OpenFile(_dir.File("a.log"), create: true);

        Assert.Equal(3, file.Length);
        Assert.Equal(_dir.File("a.log"), file.Path);
    }

    [Fact]
    public void RenameFile_OntoAnExistingFile_ReplacesIt()
    {
        File.WriteAllText(_dir.File("a.tmp"), "new");
        File.WriteAllText(_dir.File("a"), "old");

        _storage.RenameFile(_dir.File("a.tmp"), _dir.File("a"));

        Assert.Equal("new", File.ReadAllText(_dir.File("a")));
        Assert.False(_storage.FileExists(_dir.File("a.tmp")));
        Assert.Throws<FileNotFoundException>(() => _storage.RenameFile(_dir.File("a.tmp"), _dir.File("b")));
    }

    [Fact]
    public void DeleteFile_ExistingAndMissing_RemovesOrDoesNothing()
    {
        File.WriteAllText(_dir.File("a"), "x");

        _storage.DeleteFile(_dir.File("a"));
        _storage.DeleteFile(_dir.File("a"));

        Assert.False(File.Exists(_dir.File("a")));
    }

    [Fact]
    public void ListFiles_ReturnsSortedNamesOfFilesOnly()
    {
        File.WriteAllText(_dir.File("b.index"), "");
        File.WriteAllText(_dir.File("a.log"), "");
        _storage.CreateDirectory(_dir.File("sub"));

        Assert.Equal(["a.log", "b.index"], _storage.ListFiles(_dir.Path));
        Assert.True(_storage.DirectoryExists(_dir.File("sub")));
        Assert.False(_storage.DirectoryExists(_dir.File("nope")));
    }

    [Fact]
    public void LockDirectory_SecondLockInTheSameProcess_IsRefused()
    {
        using var first = _storage.LockDirectory(_dir.Path);

        var refused = Assert.Throws<LogDirectoryLockedException>(() => _storage.LockDirectory(_dir.Path + "/"));

        Assert.Equal(ErrorCode.LogDirectoryLocked, refused.ErrorCode);
        Assert.Contains(_dir.Path, refused.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(_dir.File(".lock")));
    }

    [Fact]
    public void LockDirectory_AfterDispose_CanBeTakenAgain()
    {
        _storage.LockDirectory(_dir.Path).Dispose();

        using var again = _storage.LockDirectory(_dir.Path);
    }

    [Fact]
    public void LockDirectory_HeldThroughAnotherOpenFileDescription_IsRefused()
    {
        // Another process's lock looks the same to flock as a lock on a separate open of the file.
        string lockPath = _dir.File(".lock");
        using var other = File.OpenHandle(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(0, Libc.FLock(other, Libc.LockExclusive | Libc.LockNonBlocking));
        }

        Assert.Throws<LogDirectoryLockedException>(() => _storage.LockDirectory(_dir.Path));
    }

    [Fact]
    public void File_AfterDispose_ThrowsObjectDisposed()
    {
        var file = _storage.OpenFile(_dir.File("a.log"), create: true);
        file.Dispose();

        Assert.Throws<ObjectDisposedException>(() => file.Write(0, "x"u8));
        Assert.Throws<ObjectDisposedException>(() => file.Read(0, new byte[1]));
        Assert.Throws<ObjectDisposedException>(file.Flush);
        Assert.Throws<ObjectDisposedException>(() => _ = file.Length);
    }

    [Fact]
    public void BadArguments_AreRejected()
    {
        using var file = _storage.OpenFile(_dir.File("a.log"), create: true);

        Assert.Throws<ArgumentOutOfRangeException>(() => file.Write(-1, "x"u8));
        Assert.Throws<ArgumentOutOfRangeException>(() => file.Read(-1, new byte[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => file.SetLength(-1));
        Assert.Throws<ArgumentException>(() => _storage.OpenFile("", create: true));
        Assert.Throws<ArgumentNullException>(() => _storage.LockDirectory(null!));
    }

    [Fact]
    public void TrackingStorage_OverRealFiles_ReportsUnsyncedDirectoryChangesUntilSynced()
    {
        var tracking = new TrackingStorage(_storage);
        using (tracking.OpenFile(_dir.File("a.log"), create: true))
        {
        }

        tracking.RenameFile(_dir.File("a.log"), _dir.File("b.log"));
        Assert.Equal([StorageOperation.Open, StorageOperation.Rename], tracking.UnsyncedDirectoryChanges.Select(e => e.Operation));

        tracking.SyncDirectory(_dir.Path);

        Assert.Empty(tracking.UnsyncedDirectoryChanges);
        Assert.Equal(
            [StorageOperation.Open, StorageOperation.Close, StorageOperation.Rename, StorageOperation.SyncDirectory],
            tracking.Events.Select(e => e.Operation));
    }

    [Fact]
    public void IOErrors_DescribeErrno_NamesTheErrorAndItsMeaning()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "errno texts are a Unix matter");

        string eio = IOErrors.DescribeErrno(5);
        string enospc = IOErrors.DescribeErrno(28);

        Assert.StartsWith("EIO (errno 5: ", eio, StringComparison.Ordinal);
        Assert.Contains("Input/output error", eio, StringComparison.Ordinal);
        Assert.StartsWith("ENOSPC (errno 28: ", enospc, StringComparison.Ordinal);
    }
}

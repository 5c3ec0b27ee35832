namespace CommitLog.TestKit;

/// <content>The calls of open files, and helpers for tests to inspect and damage content.</content>
public sealed partial class SimulatedStorage
{
    /// <summary>Returns the current (volatile) content of a file, as a read would see it.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public byte[] ReadAllBytes(string path)
    {
        lock (_gate)
        {
            return GetInode(Normalize(path)).Snapshot();
        }
    }

    /// <summary>Creates or replaces a file with <paramref name="content"/>, written but not flushed nor synced.</summary>
    public void WriteAllBytes(string path, ReadOnlySpan<byte> content)
    {
        using var file = OpenFile(path, create: true);
        file.SetLength(0);
        file.Write(0, content);
    }

    /// <summary>Flips one bit of a file, in both its durable and its volatile content (bit 0 is the lowest bit of byte 0).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The bit is beyond the end of the file.</exception>
    public void FlipBit(string path, long bitIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bitIndex);
        lock (_gate)
        {
            GetInode(Normalize(path)).FlipBit(bitIndex);
        }
    }

    /// <summary>Makes everything durable, as if every file were flushed and every directory synced (for test setup).</summary>
    public void MakeEverythingDurable()
    {
        lock (_gate)
        {
            foreach (SimulatedInode inode in _files.Values.Concat(_openInodes))
            {
                inode.Flush();
            }

            foreach (NamespaceChange change in _changes)
            {
                ApplyTo(_durableFiles, _durableDirectories, change);
            }

            _changes.Clear();
        }
    }

    internal long LengthOf(SimulatedFile file)
    {
        lock (_gate)
        {
            CheckUsable(file);
            return file.Inode.Length;
        }
    }

    internal int ReadFile(SimulatedFile file, long position, Span<byte> destination)
    {
        lock (_gate)
        {
            CheckUsable(file);
            Begin(StorageOperation.Read, file.Path);
            return file.Inode.Read(position, destination);
        }
    }

    internal void WriteFile(SimulatedFile file, long position, ReadOnlySpan<byte> source)
    {
        lock (_gate)
        {
            CheckUsable(file);
            StorageFaultRule? fault = Begin(StorageOperation.Write, file.Path, deferFault: true);
            int fits = (int)Math.Clamp(MaxLength(file.Inode) - position, 0, source.Length);
            if (fault is not null)
            {
                int prefix = fault.PartialWrite ? _random.Next(Math.Min(fits, source.Length) + 1) : 0;
                WritePrefix(file, position, source[..prefix]);
                throw Fail(CreateFault(fault.Kind, StorageOperation.Write, file.Path));
            }

            if (fits < source.Length)
            {
                WritePrefix(file, position, source[..fits]);
                throw Fail(Storage.IO.IOErrors.DiskFull("Simulated Write", file.Path));
            }

            file.Inode.Write(position, source);
            End();
        }
    }

    internal void FlushFile(SimulatedFile file)
    {
        lock (_gate)
        {
            CheckUsable(file);
            StorageFaultRule? fault = Begin(StorageOperation.Flush, file.Path, deferFault: true);
            if (fault is not null)
            {
                file.Inode.FailFlush();
                throw Fail(CreateFault(fault.Kind, StorageOperation.Flush, file.Path));
            }

            file.Inode.Flush();
            End();
        }
    }

    internal void SetFileLength(SimulatedFile file, long length)
    {
        lock (_gate)
        {
            CheckUsable(file);
            Begin(StorageOperation.SetLength, file.Path);
            if (length > MaxLength(file.Inode))
            {
                throw Fail(Storage.IO.IOErrors.DiskFull("Simulated SetLength", file.Path));
            }

            file.Inode.SetLength(length);
            End();
        }
    }

    internal void CloseFile(SimulatedFile file)
    {
        lock (_gate)
        {
            if (file.IsDisposed)
            {
                return;
            }

            file.IsDisposed = true;
            if (file.Generation != Generation)
            {
                return;
            }

            Begin(StorageOperation.Close, file.Path);
            if (--file.Inode.OpenCount == 0)
            {
                _openInodes.Remove(file.Inode);
            }

            End();
        }
    }

    private void WritePrefix(SimulatedFile file, long position, ReadOnlySpan<byte> prefix)
    {
        if (!prefix.IsEmpty)
        {
            file.Inode.Write(position, prefix);
        }
    }

    private void CheckUsable(SimulatedFile file)
    {
        ObjectDisposedException.ThrowIf(file.IsDisposed, file);
        if (file.Generation != Generation)
        {
            throw new IOException(
                $"'{file.Path}' was opened before a simulated power loss (crash {file.Generation + 1} of seed {Seed}); "
                + "the handle is gone and the file must be reopened.");
        }
    }

    private SimulatedInode GetInode(string full)
        => _files.TryGetValue(full, out SimulatedInode? inode)
            ? inode
            : throw new FileNotFoundException($"Could not find file '{full}'.", full);
}

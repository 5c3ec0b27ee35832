using CommitLog.TestKit;

namespace CommitLog.Storage.Tests.Reliability;

/// <summary>A copy of one directory of a <see cref="SimulatedStorage"/>, restorable onto fresh disks (to damage one copy per case).</summary>
internal sealed class DiskImage
{
    private readonly Dictionary<string, byte[]> _files;

    private DiskImage(string directory, Dictionary<string, byte[]> files)
    {
        Directory = directory;
        _files = files;
    }

    public string Directory { get; }

    public IReadOnlyDictionary<string, byte[]> Files => _files;

    public static DiskImage Capture(SimulatedStorage disk, string directory)
        => new(directory, disk.ListFiles(directory).ToDictionary(name => name, name => disk.ReadAllBytes(Path.Combine(directory, name))));

    /// <summary>Creates a new disk holding the image, everything durable, with <paramref name="change"/> applied to the named file's bytes (null deletes it).</summary>
    public SimulatedStorage Restore(string? file = null, Func<byte[], byte[]?>? change = null)
    {
        var disk = new SimulatedStorage();
        disk.CreateDirectory(Directory);
        foreach (var (name, content) in _files)
        {
            var bytes = name == file && change is not null ? change((byte[])content.Clone()) : content;
            if (bytes is not null)
            {
                disk.WriteAllBytes(Path.Combine(Directory, name), bytes);
            }
        }

        disk.MakeEverythingDurable();
        return disk;
    }
}

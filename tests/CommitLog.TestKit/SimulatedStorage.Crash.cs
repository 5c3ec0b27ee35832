namespace CommitLog.TestKit;

/// <content>Simulated power loss.</content>
public sealed partial class SimulatedStorage
{
    private static readonly PowerLossMode[] RandomModes =
    [
        PowerLossMode.DropUnflushed, PowerLossMode.KeepPrefix, PowerLossMode.KeepRandomPages,
        PowerLossMode.TornWrite, PowerLossMode.ZeroFilledExtension,
    ];

    /// <summary>
    /// Turns the disk into what a crash could leave (see <see cref="PowerLossMode"/>): every file keeps its durable
    /// content plus, depending on <paramref name="mode"/> and <paramref name="seed"/>, some of its unflushed writes;
    /// un-synced creations, renames and deletions are kept or lost likewise. Afterwards every file opened before is
    /// unusable (its calls throw <see cref="IOException"/>), locks are released, and everything left is durable.
    /// Fault rules, capacity, counters and the call log are kept.
    /// </summary>
    /// <param name="mode">What survives.</param>
    /// <param name="seed">The seed of the random choices; the same state, mode and seed give the same result.</param>
    public void Crash(PowerLossMode mode, int seed)
    {
        var random = new Random(seed);
        lock (_gate)
        {
            // 1. Which un-synced directory changes survive, replayed in order over the durable namespace.
            var files = new Dictionary<string, SimulatedInode>(_durableFiles, StringComparer.Ordinal);
            var directories = new HashSet<string>(_durableDirectories, StringComparer.Ordinal);
            int pendingCount = _changes.Count(c => !c.Durable);
            bool subset = mode is PowerLossMode.KeepRandomPages or PowerLossMode.Random;
            int prefix = mode switch
            {
                PowerLossMode.ProcessCrash => pendingCount,
                PowerLossMode.DropUnflushed => 0,
                _ => random.Next(pendingCount + 1),
            };
            int seen = 0;
            foreach (NamespaceChange change in _changes)
            {
                bool survives = change.Durable || (subset ? random.Next(2) == 0 : seen++ < prefix);
                if (survives)
                {
                    ApplyTo(files, directories, change);
                }
            }

            // 2. Directories whose parent is gone are gone, and so are their files.
            foreach (string directory in directories.OrderBy(d => d.Length).ToList())
            {
                if (Parent(directory) is string parent && !directories.Contains(parent) && !IsRoot(parent))
                {
                    directories.Remove(directory);
                }
            }

            // 3. What each surviving file holds, in path order so that the seed decides deterministically.
            var survivors = new Dictionary<SimulatedInode, SimulatedInode>();
            _files.Clear();
            foreach ((string path, SimulatedInode inode) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                if (Parent(path) is not string parent || !(directories.Contains(parent) || IsRoot(parent)))
                {
                    continue;
                }

                if (!survivors.TryGetValue(inode, out SimulatedInode? survivor))
                {
                    PowerLossMode fileMode = mode == PowerLossMode.Random ? RandomModes[random.Next(RandomModes.Length)] : mode;
                    survivor = new SimulatedInode(inode.SurviveCrash(fileMode, random));
                    survivors[inode] = survivor;
                }

                _files[path] = survivor;
            }

            _directories.Clear();
            _directories.UnionWith(directories);
            _durableFiles.Clear();
            foreach ((string path, SimulatedInode inode) in _files)
            {
                _durableFiles[path] = inode;
            }

            _durableDirectories.Clear();
            _durableDirectories.UnionWith(directories);
            _changes.Clear();
            _openInodes.Clear();
            _locks.Clear();
            Generation++;
        }
    }

    /// <summary>
    /// Simulates a power loss where every file independently loses, keeps or tears its unflushed writes
    /// (<see cref="PowerLossMode.Random"/>).
    /// </summary>
    /// <param name="seed">The seed of the random choices.</param>
    public void SimulatePowerLoss(int seed) => Crash(PowerLossMode.Random, seed);

    internal void ReleaseLock(string directory, int generation)
    {
        lock (_gate)
        {
            if (generation == Generation)
            {
                _locks.Remove(directory);
            }
        }
    }

    private static bool IsRoot(string path) => string.Equals(Path.GetPathRoot(path), path, StringComparison.Ordinal);
}

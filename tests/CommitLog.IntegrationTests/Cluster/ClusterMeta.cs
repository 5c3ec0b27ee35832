using System.Globalization;

namespace CommitLog.IntegrationTests.Cluster;

/// <summary>The controller's metadata as its <c>META</c> line reports it (see tests/CommitLog.ClusterChild/ControllerProgram.cs).</summary>
internal sealed record ClusterMeta(long Version, int Fences, IReadOnlyDictionary<int, bool> Alive, IReadOnlyDictionary<int, (int Leader, int Epoch, int[] Isr)> Partitions)
{
    public static ClusterMeta Parse(string line)
    {
        long version = 0;
        var fences = 0;
        var alive = new Dictionary<int, bool>();
        var partitions = new Dictionary<int, (int, int, int[])>();
        foreach (var field in line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var (key, value) = (field[..field.IndexOf('=', StringComparison.Ordinal)], field[(field.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            switch (key)
            {
                case "v":
                    version = long.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "fences":
                    fences = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "nodes":
                    foreach (var node in value.Split(',', StringSplitOptions.RemoveEmptyEntries))
                    {
                        alive[int.Parse(node[..^1], CultureInfo.InvariantCulture)] = node[^1] == '+';
                    }

                    break;
                default:
                    var parts = value.Split('/');
                    partitions[int.Parse(key[1..], CultureInfo.InvariantCulture)] = (int.Parse(parts[0], CultureInfo.InvariantCulture),
                        int.Parse(parts[1], CultureInfo.InvariantCulture),
                        [.. parts[2].Split('.', StringSplitOptions.RemoveEmptyEntries).Select(i => int.Parse(i, CultureInfo.InvariantCulture))]);
                    break;
            }
        }

        return new ClusterMeta(version, fences, alive, partitions);
    }
}

using System.Globalization;

namespace CommitLog.IntegrationTests.Cluster;

/// <summary>The controller's metadata as its <c>META</c> line reports it (see tests/CommitLog.ClusterChild/ControllerProgram.cs).</summary>
/// <remarks>A node of a consumer group's test also prints <c>coord=</c>: its group's partition of <c>__consumer_offsets</c>
/// (<see cref="Coordinator"/>; leader -1 while unknown).</remarks>
internal sealed record ClusterMeta(long Version, int Fences, IReadOnlyDictionary<int, bool> Alive, IReadOnlyDictionary<int, (int Leader, int Epoch, int[] Isr)> Partitions)
{
    /// <summary>Gets the leader (the group's coordinator), epoch and ISR of the group's offsets partition, if the line has them.</summary>
    public (int Leader, int Epoch, int[] Isr) Coordinator { get; private init; } = (-1, -1, []);

    public static ClusterMeta Parse(string line)
    {
        long version = 0;
        var fences = 0;
        var alive = new Dictionary<int, bool>();
        var partitions = new Dictionary<int, (int, int, int[])>();
        (int, int, int[]) coordinator = (-1, -1, []);
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
                case "coord":
                    coordinator = State(value);
                    break;
                default:
                    partitions[int.Parse(key[1..], CultureInfo.InvariantCulture)] = State(value);
                    break;
            }
        }

        return new ClusterMeta(version, fences, alive, partitions) { Coordinator = coordinator };
    }

    private static (int, int, int[]) State(string value)
    {
        var parts = value.Split('/');
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture),
            [.. parts[2].Split('.', StringSplitOptions.RemoveEmptyEntries).Select(i => int.Parse(i, CultureInfo.InvariantCulture))]);
    }
}

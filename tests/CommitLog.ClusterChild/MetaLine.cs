using System.Globalization;
using CommitLog.Replication.Control;

namespace CommitLog.ClusterChild;

/// <summary>The <c>META</c> line the parent parses: <c>META v=&lt;version&gt; fences=&lt;n&gt; nodes=&lt;id&gt;[+-],...
/// p&lt;partition&gt;=&lt;leader&gt;/&lt;epoch&gt;/&lt;isr ids joined by .&gt; ...</c> (+ alive, - fenced) for the partitions of
/// the user topics (not <c>__consumer_offsets</c>), and, given a group, <c>coord=&lt;leader&gt;/&lt;epoch&gt;/&lt;isr&gt;</c>: the
/// group's partition of <c>__consumer_offsets</c>, whose leader coordinates the group (<c>-1/-1/</c> before the topic exists).</summary>
internal static class MetaLine
{
    private const string OffsetsTopic = "__consumer_offsets";

    public static string Format(ClusterMetadata metadata, int fences, string? group = null)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"META v={metadata.Version} fences={fences} nodes={string.Join(",", metadata.Brokers.Values.OrderBy(b => b.NodeId).Select(b => $"{b.NodeId}{(b.IsFenced ? "-" : "+")}"))} ")
            + string.Join(" ", metadata.Partitions.Values.Where(p => !p.Topic.StartsWith("__", StringComparison.Ordinal)).OrderBy(p => p.Partition).Select(Describe));
        if (group is null)
        {
            return line;
        }

        var count = metadata.Partitions.Keys.Count(p => p.Topic == OffsetsTopic);
        return count > 0 && metadata.Partitions.TryGetValue(new TopicPartition(OffsetsTopic, PartitionFor(group, count)), out var state)
            ? line + " coord=" + State(state)
            : line + " coord=-1/-1/";
    }

    /// <summary>The group's partition of <c>__consumer_offsets</c>: Kafka's rule, the absolute value of Java's
    /// <c>String.hashCode</c> of the group id modulo the partition count.</summary>
    public static int PartitionFor(string group, int partitions)
    {
        var hash = 0;
        foreach (var c in group)
        {
            hash = unchecked((31 * hash) + c);
        }

        return (hash == int.MinValue ? 0 : Math.Abs(hash)) % partitions;
    }

    private static string Describe(PartitionState p) => string.Create(CultureInfo.InvariantCulture, $"p{p.Partition}={State(p)}");

    private static string State(PartitionState p) => string.Create(CultureInfo.InvariantCulture, $"{p.Leader}/{p.LeaderEpoch}/{string.Join(".", p.Isr)}");
}

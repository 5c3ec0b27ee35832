using System.Globalization;
using CommitLog.Replication.Control;

namespace CommitLog.ClusterChild;

/// <summary>The <c>META</c> line the parent parses: <c>META v=&lt;version&gt; fences=&lt;n&gt; nodes=&lt;id&gt;[+-],...
/// p&lt;partition&gt;=&lt;leader&gt;/&lt;epoch&gt;/&lt;isr ids joined by .&gt; ...</c> (+ alive, - fenced).</summary>
internal static class MetaLine
{
    public static string Format(ClusterMetadata metadata, int fences)
        => string.Create(CultureInfo.InvariantCulture,
            $"META v={metadata.Version} fences={fences} nodes={string.Join(",", metadata.Brokers.Values.OrderBy(b => b.NodeId).Select(b => $"{b.NodeId}{(b.IsFenced ? "-" : "+")}"))} ")
            + string.Join(" ", metadata.Partitions.Values.OrderBy(p => p.Partition).Select(p =>
                string.Create(CultureInfo.InvariantCulture, $"p{p.Partition}={p.Leader}/{p.LeaderEpoch}/{string.Join(".", p.Isr)}")));
}

using System.Diagnostics.Metrics;
using CommitLog.Storage.IO;
using Microsoft.Extensions.Logging;

namespace CommitLog.Replication.Control;

/// <summary>Settings of a <see cref="StaticControlPlane"/>: the cluster as the operator fixed it.</summary>
public sealed class StaticControlPlaneOptions
{
    /// <summary>This node's id; must be a key of <see cref="Nodes"/>.</summary>
    public required int NodeId { get; init; }

    /// <summary>Every node: its id and its replication (data plane) address. All are registered and unfenced.</summary>
    public required IReadOnlyDictionary<int, string> Nodes { get; init; }

    /// <summary>The replicated topics and their replicas; the first replica of each partition leads in epoch 0 and
    /// every replica starts in the ISR. Topics added here later are created on the next start.</summary>
    public IReadOnlyList<StaticTopicAssignment> Topics { get; init; } = [];

    /// <summary>Where this node keeps its metadata file (<c>control-metadata.bin</c>), so a restart keeps promotions and ISR changes.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The file system the metadata file is written through (default: real files, with fsync of the file and
    /// of <see cref="DataDirectory"/> after each replacement); tests pass a simulated disk here.</summary>
    public ISegmentStorage Storage { get; init; } = FileSegmentStorage.Instance;

    /// <summary>Where promotions and unclean elections are logged; nothing is logged when null.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Creates the "CommitLog" meter; a private meter is created when null.</summary>
    public IMeterFactory? MeterFactory { get; init; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Nodes);
        ArgumentNullException.ThrowIfNull(Topics);
        ArgumentException.ThrowIfNullOrEmpty(DataDirectory);
        ArgumentNullException.ThrowIfNull(Storage);
        if (!Nodes.ContainsKey(NodeId))
        {
            throw new ArgumentException($"NodeId {NodeId} is not one of Nodes ({string.Join(", ", Nodes.Keys)}).", nameof(NodeId));
        }

        if (Nodes.Keys.Any(id => id < 0))
        {
            throw new ArgumentException("Node ids must be non-negative.", nameof(Nodes));
        }

        foreach (StaticTopicAssignment topic in Topics)
        {
            if (topic.Replicas.Count != topic.Topic.PartitionCount)
            {
                throw new ArgumentException(
                    $"Topic '{topic.Topic.Name}' has {topic.Topic.PartitionCount} partitions but {topic.Replicas.Count} replica lists.", nameof(Topics));
            }

            int unknown = topic.Replicas.SelectMany(r => r).FirstOrDefault(n => !Nodes.ContainsKey(n), -1);
            if (unknown >= 0)
            {
                throw new ArgumentException($"Topic '{topic.Topic.Name}' names node {unknown}, which is not one of Nodes.", nameof(Topics));
            }
        }
    }
}

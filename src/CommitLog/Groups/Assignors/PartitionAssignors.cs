namespace CommitLog.Groups.Assignors;

/// <summary>Finds the assignor of a <c>partition.assignment.strategy</c>.</summary>
internal static class PartitionAssignors
{
    /// <summary>Returns the assignor of a strategy.</summary>
    /// <param name="strategy">The configured strategy.</param>
    /// <returns>The assignor.</returns>
    public static IPartitionAssignor For(PartitionAssignmentStrategy strategy) => strategy switch
    {
        PartitionAssignmentStrategy.Range => RangeAssignor.Instance,
        PartitionAssignmentStrategy.RoundRobin => RoundRobinAssignor.Instance,
        PartitionAssignmentStrategy.CooperativeSticky => CooperativeStickyAssignor.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Allowed: Range, RoundRobin, CooperativeSticky."),
    };
}

namespace CommitLog.Replication.Control;

/// <summary>A topic of a <see cref="StaticControlPlane"/>'s configuration, with its replicas fixed by the operator.</summary>
/// <param name="Topic">The topic's settings.</param>
/// <param name="Replicas">For each partition, its replicas in preference order; the first one leads at first.</param>
public sealed record StaticTopicAssignment(ReplicatedTopic Topic, IReadOnlyList<IReadOnlyList<int>> Replicas);

namespace CommitLog.Replication.Tests.Control;

/// <summary>Raft tests run one at a time: each runs three real nodes with sub-second timeouts on a 2-core machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RaftCollection
{
    public const string Name = "Raft control plane";
}

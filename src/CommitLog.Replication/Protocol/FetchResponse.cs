namespace CommitLog.Replication.Protocol;

/// <summary>The leader's answer to a <see cref="FetchRequest"/>.</summary>
/// <param name="CorrelationId">The request's correlation id.</param>
/// <param name="Partitions">One entry per requested partition.</param>
internal sealed record FetchResponse(int CorrelationId, IReadOnlyList<FetchPartitionResponse> Partitions)
    : ReplicationMessage(CorrelationId)
{
    /// <summary>Returns every partition's pooled records (see <see cref="FetchPartitionResponse.ReleaseRecords"/>).</summary>
    public void ReleaseRecords()
    {
        foreach (var partition in Partitions)
        {
            partition.ReleaseRecords();
        }
    }
}

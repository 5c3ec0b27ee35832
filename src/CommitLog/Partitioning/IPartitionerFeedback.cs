namespace CommitLog;

/// <summary>
/// Implemented by partitioners that need to know what was appended: the uniform sticky part (KIP-794) stays on a
/// partition until about <c>batch.size</c> bytes went to it. The producer calls <see cref="OnAppended"/> after each
/// record it adds to a partition's batch, whichever way the partition was chosen.
/// </summary>
internal interface IPartitionerFeedback
{
    /// <summary>Reports that a record was added to a partition's batch.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition the record went to.</param>
    /// <param name="bytes">The record's size in the batch, in bytes.</param>
    void OnAppended(string topic, int partition, int bytes);
}

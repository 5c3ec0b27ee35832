namespace CommitLog.Replication.Protocol;

/// <summary>A message of the replication protocol; a response carries the correlation id of its request.</summary>
/// <param name="CorrelationId">Chosen by the requester; echoed in the response.</param>
internal abstract record ReplicationMessage(int CorrelationId);

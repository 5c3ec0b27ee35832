namespace CommitLog;

/// <summary>Where a batch in a partition's send window stands.</summary>
internal enum BatchSendState
{
    /// <summary>Sealed, not sent yet (or reused from the pool).</summary>
    Queued,

    /// <summary>Its append was issued and has not returned.</summary>
    Issued,

    /// <summary>Its append failed retriably (or out of sequence behind a failed batch): it is sent again, in order.</summary>
    Resend,

    /// <summary>Its outcome is known (acknowledged or failed for good): it is reported once every batch before it is.</summary>
    Done,
}

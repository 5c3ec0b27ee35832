using CommitLog.Replication.Protocol;
using CommitLog.Replication.Replica;

namespace CommitLog.Replication.Cluster;

/// <content>
/// Kafka's <c>replica.fetch.wait.max.ms</c> on the leader (<see cref="FetchParking"/>): empty answers to caught-up
/// followers are held, and their fetches handed to the core again when a produce or metadata arrives or the wait ends.
/// </content>
internal sealed partial class NodeHost
{
    private readonly FetchParking _parking;
    private readonly List<OutgoingMessage> _heldOutput = [];

    /// <summary>Holds the answer to <paramref name="fetch"/> if it is empty and tells the follower nothing new. Under the lock.</summary>
    private void MaybePark(int from, FetchRequest fetch, long nowMs)
    {
        var output = _core.TakeMessages();
        _parking.MaybePark(from, fetch, output, nowMs);
        _heldOutput.AddRange(output);
    }

    /// <summary>Hands the parked fetches that <paramref name="wake"/> selects to the core again. Under the lock.</summary>
    private void WakeParkedFetches(Func<ParkedFetch, bool> wake) => _parking.Wake(_core, wake, NowMs);

    /// <summary>Remembers the high watermark each follower was last told, so an answer that moves it is never held.</summary>
    private void NoteSent(int to, ReplicationMessage message) => _parking.NoteSent(to, message);
}

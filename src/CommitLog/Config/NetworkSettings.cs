using System.Collections.Frozen;

namespace CommitLog;

/// <summary>
/// Client settings that only matter when talking to brokers over a network. CommitLog's clients run in the
/// broker's process, so these are accepted (configs written for Kafka keep working) and ignored; each config lists
/// the ones it was given in its <c>IgnoredKeys</c>.
/// </summary>
internal static class NetworkSettings
{
    /// <summary>Key prefixes that are network-only: every <c>sasl.*</c>, <c>ssl.*</c> and <c>socket.*</c> setting.</summary>
    public static readonly string[] Prefixes = ["sasl.", "ssl.", "socket."];

    /// <summary>Single network-only keys.</summary>
    public static readonly FrozenSet<string> Keys = new[]
    {
        "bootstrap.servers", "metadata.broker.list", "security.protocol", "client.dns.lookup", "client.rack",
        "connections.max.idle.ms", "reconnect.backoff.ms", "reconnect.backoff.max.ms", "retry.backoff.ms", "retry.backoff.max.ms",
        "send.buffer.bytes", "receive.buffer.bytes", "metadata.max.age.ms", "metadata.max.idle.ms", "topic.metadata.refresh.interval.ms",
        "broker.address.family", "broker.address.ttl", "api.version.request", "api.version.request.timeout.ms",
        "api.version.fallback.ms", "broker.version.fallback", "enable.ssl.certificate.verification", "message.max.bytes",
        "fetch.error.backoff.ms", "socket_nagle_disable",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Returns whether a key is network-only.</summary>
    public static bool IsNetworkOnly(string key)
    {
        if (Keys.Contains(key))
        {
            return true;
        }

        foreach (string prefix in Prefixes)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}

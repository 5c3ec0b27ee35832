using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CommitLog.Replication.Tcp;

/// <summary>
/// Optional TLS for a <see cref="TcpTransport"/>: every connection runs mutual TLS (both sides present a
/// certificate) before the cluster-secret handshake. A peer's certificate is accepted when its SHA-256 thumbprint
/// is in <see cref="TrustedPeers"/> (pinning, suited to self-signed node certificates) or, when set,
/// <see cref="ValidatePeer"/> returns true.
/// </summary>
public sealed class TcpTlsOptions
{
    /// <summary>This node's certificate, with its private key; presented both when dialing and when accepting.</summary>
    public required X509Certificate2 Certificate { get; init; }

    /// <summary>Certificates of the peers this node accepts (compared by SHA-256 thumbprint).</summary>
    public X509Certificate2Collection TrustedPeers { get; init; } = [];

    /// <summary>Custom acceptance of a peer certificate; replaces the <see cref="TrustedPeers"/> check when set.</summary>
    public Func<X509Certificate2, X509Chain?, SslPolicyErrors, bool>? ValidatePeer { get; init; }

    /// <summary>The host name a dialer asks for (SNI); default "commitlog-replication".</summary>
    public string TargetHost { get; init; } = "commitlog-replication";

    internal void Validate()
    {
        if (!Certificate.HasPrivateKey)
        {
            throw new ArgumentException("Tls.Certificate must include its private key.", nameof(Certificate));
        }

        if (TrustedPeers.Count == 0 && ValidatePeer is null)
        {
            throw new ArgumentException("Tls needs TrustedPeers or ValidatePeer; otherwise every peer would be refused.", nameof(TrustedPeers));
        }
    }

    internal bool IsTrusted(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return false;
        }

        using var peer = new X509Certificate2(certificate);
        if (ValidatePeer is not null)
        {
            return ValidatePeer(peer, chain, errors);
        }

        string thumbprint = peer.GetCertHashString(HashAlgorithmName.SHA256);
        foreach (X509Certificate2 trusted in TrustedPeers)
        {
            if (string.Equals(trusted.GetCertHashString(HashAlgorithmName.SHA256), thumbprint, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}

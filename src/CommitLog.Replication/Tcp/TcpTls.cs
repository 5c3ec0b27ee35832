using System.Net.Security;
using System.Security.Authentication;
using CommitLog.Replication.Transport;

namespace CommitLog.Replication.Tcp;

/// <summary>Mutual TLS over an accepted or dialed socket stream.</summary>
internal static class TcpTls
{
    public static async Task<Stream> AuthenticateAsync(Stream inner, bool isDialer, TcpTlsOptions tls, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        try
        {
            SslStreamCertificateContext context = SslStreamCertificateContext.Create(tls.Certificate, additionalCertificates: null);
            if (isDialer)
            {
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = tls.TargetHost,
                    ClientCertificateContext = context,
                    RemoteCertificateValidationCallback = (_, certificate, chain, errors) => tls.IsTrusted(certificate, chain, errors),
                }, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = context,
                    ClientCertificateRequired = true,
                    RemoteCertificateValidationCallback = (_, certificate, chain, errors) => tls.IsTrusted(certificate, chain, errors),
                }, cancellationToken).ConfigureAwait(false);
            }

            return ssl;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new AuthenticationFailedException($"TLS with the peer failed (untrusted or missing certificate?): {ex.Message}", ex);
        }
    }
}

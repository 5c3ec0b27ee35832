using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using CommitLog.Replication.Transport;

namespace CommitLog.Replication.Tcp;

/// <summary>
/// Challenge-response with the pre-shared cluster secret, before any data frame. Each side sends Hello
/// (version, 32-byte random nonce, node id); then each sends HMAC-SHA256(secret, role || dialer nonce ||
/// listener nonce || its own node id) and checks the peer's proof in constant time. The role byte stops a proof
/// from being reflected back; frames are capped at <see cref="MaxHandshakePayload"/> bytes until the peer is proven.
/// </summary>
internal static class TcpHandshake
{
    public const int MaxHandshakePayload = 512;
    public const byte Version = 1;
    public const int NonceBytes = 32;
    private const byte DialerRole = (byte)'D';
    private const byte ListenerRole = (byte)'L';

    /// <summary>Runs the handshake; returns the peer's proven node id.</summary>
    /// <exception cref="AuthenticationFailedException">The peer is not a member of the cluster (or we are not to it).</exception>
    public static async Task<string> RunAsync(
        PipeReader reader, PipeWriter writer, bool isDialer, string nodeId, ReadOnlyMemory<byte> secret,
        CancellationToken cancellationToken)
    {
        byte[] myNonce = RandomNumberGenerator.GetBytes(NonceBytes);
        byte[] myId = Encoding.UTF8.GetBytes(nodeId);
        byte[] hello = new byte[1 + NonceBytes + myId.Length];
        hello[0] = Version;
        myNonce.CopyTo(hello, 1);
        myId.CopyTo(hello, 1 + NonceBytes);
        FrameCodec.Write(writer, FrameCodec.Hello, hello);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);

        byte[] peerHello = await ReadAsync(reader, FrameCodec.Hello, cancellationToken).ConfigureAwait(false);
        if (peerHello.Length < 2 + NonceBytes || peerHello[0] != Version)
        {
            throw new AuthenticationFailedException(
                $"Peer sent an unsupported handshake (version {(peerHello.Length > 0 ? peerHello[0] : -1)}, {peerHello.Length} bytes); expected version {Version}.");
        }

        byte[] peerNonce = peerHello.AsSpan(1, NonceBytes).ToArray();
        byte[] peerIdBytes = peerHello.AsSpan(1 + NonceBytes).ToArray();
        string peerId;
        try
        {
            peerId = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(peerIdBytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new AuthenticationFailedException("Peer node id is not valid UTF-8.", ex);
        }

        if (peerId == nodeId)
        {
            throw new AuthenticationFailedException($"Peer claims this node's own id '{nodeId}'.");
        }

        byte[] dialerNonce = isDialer ? myNonce : peerNonce;
        byte[] listenerNonce = isDialer ? peerNonce : myNonce;
        byte[] myProof = ComputeProof(secret.Span, isDialer ? DialerRole : ListenerRole, dialerNonce, listenerNonce, myId);
        FrameCodec.Write(writer, FrameCodec.Proof, myProof);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);

        byte[] peerProof = await ReadAsync(reader, FrameCodec.Proof, cancellationToken).ConfigureAwait(false);
        byte[] expected = ComputeProof(secret.Span, isDialer ? ListenerRole : DialerRole, dialerNonce, listenerNonce, peerIdBytes);
        if (!CryptographicOperations.FixedTimeEquals(peerProof, expected))
        {
            throw new AuthenticationFailedException(
                $"Peer '{peerId}' failed the cluster-secret challenge (its secret differs from ours).");
        }

        return peerId;
    }

    internal static byte[] ComputeProof(
        ReadOnlySpan<byte> secret, byte role, byte[] dialerNonce, byte[] listenerNonce, byte[] nodeId)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secret);
        hmac.AppendData([role]);
        hmac.AppendData(dialerNonce);
        hmac.AppendData(listenerNonce);
        hmac.AppendData(nodeId);
        return hmac.GetHashAndReset();
    }

    private static async Task<byte[]> ReadAsync(PipeReader reader, byte expectedType, CancellationToken cancellationToken)
    {
        (byte Type, byte[] Payload)? frame;
        try
        {
            frame = await FrameCodec.ReadAsync(reader, MaxHandshakePayload, cancellationToken).ConfigureAwait(false);
        }
        catch (FrameFormatException ex)
        {
            throw new AuthenticationFailedException($"Peer sent a malformed handshake frame: {ex.Message}", ex);
        }

        if (frame is not { } f)
        {
            throw new AuthenticationFailedException("Peer closed the connection during the handshake (it may have refused us).");
        }

        return f.Type == expectedType
            ? f.Payload
            : throw new AuthenticationFailedException($"Peer sent frame type 0x{f.Type:X2} during the handshake; expected 0x{expectedType:X2}.");
    }
}

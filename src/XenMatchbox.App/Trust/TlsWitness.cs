using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// What a client saw of each server's TLS, host by host, for <see cref="TlsFailure.judge"/> to say
/// why a handshake failed: the first bytes each server sent (its connections are opened here, see
/// <see cref="ConnectAsync"/>), and a certificate the client refused with how the platform judged
/// it. The platform's own exception says only that a handshake failed; these are its facts.
/// </summary>
internal sealed class TlsWitness
{
    /// <summary>Enough of an answer to tell what it is, and to show its first line.</summary>
    private const int FirstBytesKept = Limits.FirstBytesKept;

    private readonly ConcurrentDictionary<string, byte[]> firstBytes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, TlsFailure.Facts> refused = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// For <see cref="SocketsHttpHandler.ConnectCallback"/>: connects as the handler would (a
    /// dual-mode socket, no Nagle) and keeps the first bytes the server sends. The handler's
    /// ConnectTimeout bounds it.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancel)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancel);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var host = Key(context.DnsEndPoint.Host);
        firstBytes.TryRemove(host, out _);
        return new FirstBytesStream(new NetworkStream(socket, ownsSocket: true), bytes => firstBytes[host] = bytes);
    }

    /// <summary>
    /// Notes a certificate the client refused for <paramref name="host"/>: whether the platform
    /// found it misnamed, and the chain built to each set of anchors tried (none when the
    /// platform's own chain was trusted).
    /// </summary>
    public void Refused(string host, X509Certificate? certificate, SslPolicyErrors errors, IEnumerable<TlsFailure.Chain> chains)
    {
        var key = Key(host);
        refused[key] = new TlsFailure.Facts(
            key,
            DateTimeOffset.UtcNow,
            certificate is null ? FSharpOption<TlsFailure.Certificate>.None : FSharpOption<TlsFailure.Certificate>.Some(Describe(certificate)),
            errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch),
            ListModule.OfSeq(chains),
            []);
    }

    /// <summary>What was seen of <paramref name="host"/>'s TLS, for the Domain to judge; null when nothing was.</summary>
    public TlsFailure.Facts? Facts(string host)
    {
        var key = Key(host);
        var bytes = firstBytes.TryGetValue(key, out var kept) ? kept : [];
        if (refused.TryRemove(key, out var facts))
        {
            return new TlsFailure.Facts(facts.Host, facts.Now, facts.Certificate, facts.NameMismatch, facts.Chains, bytes);
        }
        return bytes.Length > 0
            ? new TlsFailure.Facts(key, DateTimeOffset.UtcNow, FSharpOption<TlsFailure.Certificate>.None, false, FSharpList<TlsFailure.Chain>.Empty, bytes)
            : null;
    }

    /// <summary>The failure the facts about <paramref name="host"/> show, or null.</summary>
    public TlsFailure.Failure? Failure(string host) =>
        Facts(host) is { } facts ? TlsFailure.judge(facts).ValueOrNull() : null;

    /// <summary>A host as a URL, SNI or a socket names it: IPv6 brackets dropped.</summary>
    private static string Key(string host) => host.Trim('[', ']');

    private static TlsFailure.Certificate Describe(X509Certificate certificate)
    {
        using var owned = certificate as X509Certificate2 is null ? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()) : null;
        var full = owned ?? (X509Certificate2)certificate;
        var names = full.Extensions
            .Where(e => e.Oid?.Value == "2.5.29.17")
            .Select(e => e as X509SubjectAlternativeNameExtension ?? new X509SubjectAlternativeNameExtension(e.RawData, e.Critical))
            .FirstOrDefault();
        return new TlsFailure.Certificate(
            full.Subject,
            full.Issuer,
            ListModule.OfSeq(names?.EnumerateDnsNames() ?? []),
            ListModule.OfSeq(names?.EnumerateIPAddresses().Select(a => a.ToString()) ?? []),
            new DateTimeOffset(full.NotBefore.ToUniversalTime(), TimeSpan.Zero),
            new DateTimeOffset(full.NotAfter.ToUniversalTime(), TimeSpan.Zero));
    }

    /// <summary>A connection's stream that hands the first bytes read from it to <c>keep</c>, and is otherwise the connection.</summary>
    private sealed class FirstBytesStream(NetworkStream inner, Action<byte[]> keep) : Stream
    {
        private byte[] seen = [];

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer) => Kept(buffer, inner.Read(buffer));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancel) =>
            ReadAsync(buffer.AsMemory(offset, count), cancel).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancel)
        {
            var read = await inner.ReadAsync(buffer, cancel);
            return Kept(buffer.Span, read);
        }

        private int Kept(ReadOnlySpan<byte> buffer, int read)
        {
            if (seen.Length < FirstBytesKept && read > 0)
            {
                seen = [.. seen, .. buffer[..Math.Min(read, FirstBytesKept - seen.Length)]];
                keep(seen);
            }
            return read;
        }

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancel) => inner.WriteAsync(buffer, offset, count, cancel);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancel) => inner.WriteAsync(buffer, cancel);

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancel) => inner.FlushAsync(cancel);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}

/// Why a TLS connection to a server failed, from what the client saw of it: the server's
/// certificate and how the platform judged it (the X509ChainStatus flags of the chain built to
/// each set of trust anchors, and whether the certificate names the host), or the first bytes of
/// an answer that is not TLS at all. The shell gathers these facts during the handshake; which
/// failure they make, and what the operator reads, is decided here.
module internal XenMatchbox.Domain.TlsFailure

open System
open XenMatchbox.Domain.Errors

/// The server's certificate, as received.
type Certificate =
    {
        /// Its subject, e.g. "CN=matchbox".
        Subject: string
        /// Its issuer: the CA whose certificate would vouch for it.
        Issuer: string
        /// The DNS names of its subject alternative names.
        DnsNames: string list
        /// The IP addresses of its subject alternative names, as text.
        IpAddresses: string list
        /// The start of its validity.
        NotBefore: DateTimeOffset
        /// The end of its validity.
        NotAfter: DateTimeOffset
    }

/// The chain the client built from the certificate to one set of trust anchors.
type Chain =
    {
        /// The anchors, as the operator names them: "--ca /etc/matchbox/ca.crt", "the system store".
        Anchors: string
        /// The X509ChainStatusFlags the platform reported for it (e.g. "UntrustedRoot",
        /// "PartialChain", "NotTimeValid"); empty when it leads to those anchors.
        Status: string list
    }

/// What the client saw of one server's TLS.
type Facts =
    {
        /// The host the client asked for (the --server host, or the URL's).
        Host: string
        /// dom0's clock when the certificate was judged.
        Now: DateTimeOffset
        /// The certificate the server presented, when the platform refused it; None otherwise.
        Certificate: Certificate option
        /// Whether the platform found that the certificate does not name Host.
        NameMismatch: bool
        /// The chains built for a refused certificate, one per set of anchors tried, in the order
        /// the operator should read them; empty when the platform's own chain was trusted.
        Chains: Chain list
        /// The first bytes the server sent on the connection (a few dozen at most), empty when none.
        FirstBytes: byte array
    }

/// Which failure it was.
type Failure =
    /// No set of anchors leads to the certificate, whatever its dates: its issuer (the CA that
    /// would vouch for it), whether it is its own issuer, the anchors tried and the platform's flags.
    | Untrusted of issuer: string * selfSigned: bool * anchors: string list * status: string list
    /// A chain leads to the anchors but the certificate does not name the host: the names it
    /// holds ("DNS matchbox.example.com", "IP 10.0.0.5"), its subject, and the host asked for.
    | Misnamed of names: string list * subject: string * host: string
    /// A chain leads to the anchors and it names the host, but it (when leaf) or a CA certificate
    /// of its chain is outside its validity dates: its dates and dom0's clock.
    | OutOfDate of notBefore: DateTimeOffset * notAfter: DateTimeOffset * now: DateTimeOffset * leaf: bool
    /// The server answered, and not with TLS: what its first bytes look like.
    | NotTls of answered: string

/// A set of trust anchors a server's certificate may lead to.
type Anchors =
    /// --ca, matchbox's CA: its file, when given.
    | Ca of file: string option
    /// --web-ca, the CA of matchbox's HTTPS certificate (--web-ssl) and of self-hosted asset servers.
    | WebCa of file: string
    /// The system's CA certificates, for public asset servers.
    | SystemStore

/// What a certificate is judged for.
type Connection =
    /// matchbox's gRPC API, mutual TLS.
    | Grpc
    /// HTTPS: matchbox's /ipxe under --web-ssl, and https:// assets (one connection pool).
    | Https

/// The anchors a connection trusts, in the order they are tried: the first that leads to the
/// certificate ends the search, so the system store (hundreds of files) is read only when the
/// others do not vouch. gRPC trusts --ca alone, never the system store: matchbox's API is its own
/// CA's, and no public CA may speak for it. HTTPS trusts --ca and --web-ca, each when given, then
/// the system store.
val trustedAnchors: connection: Connection -> caFile: string option -> webCaFile: string option -> Anchors list

/// The anchors as a refused certificate's message names them (Chain.Anchors): "--ca
/// /etc/matchbox/ca.crt" ("--ca" without its file), "--web-ca /etc/matchbox/web-ca.crt", "the
/// system store".
val anchorsName: anchors: Anchors -> string

/// The chains built for a refused certificate in the order the operator reads them (Facts.Chains):
/// the system store's first, as the anchors a public server's certificate is meant for, then the
/// others in the order they were tried.
val readingOrder: chains: Chain list -> Chain list

/// The failure the facts show, None when they show none (the handshake failed otherwise: a close,
/// a reset, an alert). A refused certificate is judged chain first, then name, then dates, as
/// the platform reports them: a chain that would lead to the anchors but for NotTimeValid (or
/// NotTimeNested) is trusted for the chain's sake, and its dates are judged last. Otherwise the
/// first bytes: when they are not a TLS record (its content type 20 to 24, version major 3), the
/// server does not speak TLS.
val judge: facts: Facts -> Failure option

/// The failure in words, e.g. "it is issued by CN=other-ca, and --ca /etc/matchbox/ca.crt does not
/// vouch for it (UntrustedRoot)", "it names DNS matchbox.invalid, not 10.0.0.5", "it expired on
/// 2026-01-01 00:00:00 UTC (valid from …; dom0's clock says …)", "an HTTP server answered
/// \"HTTP/1.1 400 Bad Request\"".
val describe: failure: Failure -> string

/// What answered, from the first bytes of an answer that is not TLS: "an HTTP server answered
/// \"HTTP/1.1 400 Bad Request\"", "it answered \"SSH-2.0-OpenSSH_9.2\"", or the bytes in hex.
val answered: firstBytes: byte array -> string

/// The lookup's error for the failure at endpoint: XMB-205 a chain, XMB-206 a name, XMB-214 the
/// dates, XMB-203 (no TLS) an answer that is not TLS, with a hint at the port the flag names.
val lookupError: endpoint: Endpoint -> failure: Failure -> BootError

/// An https:// asset's error for the failure at url: XMB-410 a chain or the dates, XMB-412 a
/// name, XMB-413 an answer that is not TLS.
val assetError: url: string -> failure: Failure -> BootError

/// What went wrong with an HTTP request that got no answer (an asset, its .sig, a HEAD probe, or
/// matchbox's /ipxe in HTTP-only mode), from what the HTTP client reports: the exceptions it threw,
/// the kind of request error it names, whether the request's own timer ended it, and what the
/// client saw of the server's TLS, reduced to plain facts so the rule is pure. An answer with a
/// status is not this module's: Transfer and Ipxe name those.
module internal XenMatchbox.Domain.HttpFailure

open XenMatchbox.Domain.Errors

/// What the request was for, which names the error's stage and its subject.
type Target =
    /// An asset, its .sig or check's probe of it (XMB-4xx): its URL as shown.
    | Asset of url: string
    /// matchbox's /ipxe, the HTTP-only lookup (XMB-2xx): the endpoint as named to the operator.
    | Ipxe of endpoint: string

/// What the HTTP client reported for one request that got no answer.
type Facts =
    {
        /// The exceptions it ended with, outermost first (an HttpRequestException or an
        /// OperationCanceledException, then what lies under it).
        Causes: GrpcFailure.Cause list
        /// The HttpRequestError the HttpRequestException names, e.g. "InvalidResponse",
        /// "ConfigurationLimitExceeded", "ConnectionError"; None when the outermost is no
        /// HttpRequestException.
        RequestError: string option
        /// What the client saw of the server's TLS when the handshake failed (a certificate it
        /// refused, the first bytes of an answer that is not TLS); None otherwise.
        Tls: TlsFailure.Facts option
    }

/// Names the failure of a request to target that got no answer, given the request's time (its
/// connect and answer bounds, named in a timeout's message: Limits.requestTime for an asset,
/// Failover.tryTime for /ipxe). The rules, in order:
/// - the request's own timer ended it (an OperationCanceledException outermost): a timeout,
///   XMB-210 for /ipxe or XMB-409 for an asset, "no answer within" the answer time; for /ipxe a
///   TimeoutException under it is the handler's connect timeout, "no connection within" the
///   connect time;
/// - a TimeoutException under the request's HttpRequestException (for an asset, also an
///   OperationCanceledException) is the connect timeout, "no connection within" the connect time;
/// - an AuthenticationException under it is a failed TLS handshake: what TlsFailure.judge makes
///   of the TLS facts (a certificate refused for its chain, names or dates; an answer that is not
///   TLS), as TlsFailure.assetError or TlsFailure.lookupError name it; without such facts the
///   handshake broke off (a close, a reset, an alert) and may pass on another try: unreachable,
///   "the TLS handshake failed: " and the innermost exception's message;
/// - InvalidResponse or ConfigurationLimitExceeded is something that is not an HTTP server (or
///   one whose headers are over the client's limit): XMB-413 for an asset, naming which; for
///   /ipxe XMB-203 "no HTTP", with a hint at --httpport;
/// - anything else is unreachable (XMB-204 for /ipxe, XMB-402 for an asset) with the request
///   exception's message, tried again.
val classify: target: Target -> time: Limits.TryTime -> facts: Facts -> BootError

/// What went wrong with a gRPC lookup, from what the gRPC stack reports: its status code, its
/// detail and the chain of exceptions under it, reduced to plain facts so the rule is pure.
module internal XenMatchbox.Domain.GrpcFailure

open XenMatchbox.Domain.Errors

/// One exception of the chain under a failed call, outermost first.
type Cause =
    {
        /// The exception's type name without its namespace, e.g. "SocketException".
        Kind: string
        /// Its message.
        Message: string
    }

/// What the gRPC client reported for one failed call.
type Facts =
    {
        /// The gRPC status code's name, e.g. "Unavailable", "NotFound", "DeadlineExceeded".
        Status: string
        /// The status detail (its first line is shown to the operator).
        Detail: string
        /// The exceptions under the failure, outermost first; empty when the server answered.
        Causes: Cause list
        /// What the client saw of the server's TLS on this try (its first bytes, a certificate it
        /// refused), when anything.
        Tls: TlsFailure.Facts option
    }

/// Names the failure of a lookup at endpoint (the gRPC host:port, named in the error as an
/// Endpoint.Grpc) for labels (as shown), given the try's time (Failover.tryTime: its connect and
/// answer bounds, named in a timeout's message). The rules, in order: NotFound is no group (or no profile, by matchbox's message); a
/// deadline or a connect timeout is XMB-210; what TlsFailure.judge makes of the TLS facts (a
/// certificate refused for its chain, XMB-205, its names, XMB-206, or its dates, XMB-214; an answer
/// that is not TLS, XMB-203), or, without such facts, the platform's words for a port that does not
/// speak TLS (XMB-203) and a server certificate with the wrong name or chain (XMB-206/205). A TLS alert the server sent (OpenSSL's
/// "sslv3 alert bad certificate", "tlsv1 alert unknown ca", "SSL alert number 48", …), during the
/// handshake (TLS 1.2) or on the first read after it (TLS 1.3, as matchbox's Go TLS stack sends it),
/// is the client certificate refused, XMB-207 naming the alert, when the alert is about a
/// certificate (bad, unsupported, revoked, expired, unknown, unknown CA, access denied, required);
/// another alert (a handshake failure, a protocol version) is XMB-203 naming it. Without an alert
/// the certificate is never blamed: a connection closed right after the handshake before any
/// HTTP/2 byte (a matchbox going away, a TLS front whose backend is down, a server that refuses
/// the certificate silently) is XMB-204 whose fix names the certificate as one possible cause
/// (LookupError.ClosedAfterHandshake), tried again. A refused or reset connection, the server
/// closing the HTTP/2 connection (GOAWAY, as a server that stops sends it, whatever status the
/// client makes of it), the TLS handshake cut off without an alert, or any other Unavailable is
/// XMB-204, tried again (a matchbox restarting looks like that). Anything else is XMB-203 with
/// the status.
val classify: endpoint: string -> labels: string -> time: Limits.TryTime -> facts: Facts -> BootError

/// What went wrong with a gRPC lookup, from what the gRPC stack reports: its status code, its
/// detail and the chain of exceptions under it, reduced to plain facts so the rule is pure.
module XenMatchbox.Domain.GrpcFailure

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
        /// Whether this was the last try (Transfer.MaxAttempts): a failure that may be passing is
        /// blamed only once it has happened on every try.
        LastTry: bool
    }

/// Whether a try failed only because the server closed the connection right after the TLS
/// handshake, before a byte of HTTP/2 (what classify makes of it before the last try). The lookup
/// blames the client certificate (XMB-207) only when every try at the server ended so; a try that
/// failed otherwise (a reset, a refusal) makes it the network's doing.
val closedAfterHandshake: error: BootError -> bool

/// Names the failure of a lookup at endpoint (the gRPC host:port, named in the error as an
/// Endpoint.Grpc) for labels (as shown), given the --connect-timeout and the lookup's answer time
/// in seconds. The rules, in order: NotFound is no group (or no
/// profile, by matchbox's message); a deadline or a connect timeout is XMB-210; a port that does
/// not speak TLS is XMB-203; a server certificate with the wrong name or chain is XMB-206/205; a
/// TLS alert from the server (OpenSSL's "alert" in the chain) is the client certificate refused,
/// XMB-207. A connection closed right after the handshake, before any HTTP/2 byte and without an
/// alert, is ambiguous (a TLS 1.3 server that refuses a certificate without an alert, as .NET's
/// does, and a matchbox going away look the same): XMB-204, tried again, and XMB-207 only on the
/// last try. A refused or reset connection, the server closing the HTTP/2 connection (GOAWAY, as a
/// server that stops sends it, whatever status the client makes of it), the TLS handshake cut off
/// without an alert, or any other Unavailable is XMB-204, tried again (a matchbox restarting looks like that). Anything else
/// is XMB-203 with the status.
val classify:
    endpoint: string -> labels: string -> connectSeconds: int -> answerSeconds: int -> facts: Facts -> BootError

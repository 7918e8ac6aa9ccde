namespace XenMatchbox.Domain

/// Where a lookup asked matchbox, which also tells which of its two lookups failed.
[<RequireQualifiedAccess>]
type Endpoint =
    /// matchbox's gRPC API; its host:port as dialled.
    | Grpc of address: string
    /// matchbox's read-only /ipxe (the HTTP-only lookup); its URL as named to the operator.
    | Ipxe of url: string

/// How matchbox answered a lookup that failed.
[<RequireQualifiedAccess>]
type LookupStatus =
    /// A gRPC status other than those with a case of their own; its name, e.g. "PermissionDenied".
    | Grpc of name: string
    /// An HTTP status from /ipxe other than those with a case of their own, shown as "HTTP nnn".
    | Http of status: int
    /// A redirect from /ipxe (a 3xx with a Location), which the lookup never follows: the status and
    /// where it pointed (Transfer.lookupRedirect), shown as "HTTP nnn, a redirect to URL".
    | Redirect of status: int * location: string
    /// The gRPC port does not speak TLS (plain HTTP answered the handshake); shown as "no TLS".
    | NoTls
    /// The HTTP port does not speak HTTP; shown as "no HTTP".
    | NoHttp

/// Looking the profile up from matchbox failed: XMB-2xx, exit status 3.
type LookupError =
    /// XMB-201: no matchbox group matches the labels (over HTTP, also a group whose profile is
    /// missing); the labels as Labels.display shows them.
    | NoMatchingGroup of labels: string
    /// XMB-202: a matchbox group matches the labels but its profile is missing or unreadable (gRPC
    /// only); the labels as Labels.display shows them.
    | NoMatchingProfile of labels: string
    /// XMB-203: matchbox answered the lookup with an error; the endpoint, the status and the detail.
    | LookupFailed of endpoint: Endpoint * status: LookupStatus * detail: string
    /// XMB-204: matchbox could not be reached (refused, reset, closed right after the TLS
    /// handshake), after retries; the endpoint and the reason (LookupError.ClosedAfterHandshake
    /// for that close, whose fix names the client certificate as one possible cause).
    | ServerUnreachable of endpoint: Endpoint * detail: string
    /// XMB-205: matchbox's gRPC server certificate does not lead to the --ca certificate, or (--web-ssl) its HTTPS
    /// certificate to no CA of the system store, --ca or --web-ca; the endpoint and the reason
    /// (TlsFailure: its issuer and the CAs tried).
    | ServerNotTrusted of endpoint: Endpoint * detail: string
    /// XMB-206: matchbox's certificate (gRPC, or HTTPS with --web-ssl) does not name the --server
    /// host; the endpoint and the reason (TlsFailure: the names it holds).
    | ServerNameMismatch of endpoint: Endpoint * detail: string
    /// XMB-207: matchbox refused the client certificate with a TLS alert; the endpoint and the
    /// alert as the TLS stack named it (e.g. "bad certificate", "unknown ca").
    | ClientCertificateRefused of endpoint: Endpoint * alert: string
    /// XMB-208: a --ca, --cert or --key PEM file cannot be read; its path and the reason.
    | TlsFileUnreadable of path: string * detail: string
    /// XMB-209: the --cert client certificate and the --key private key do not belong together;
    /// both paths and the reason.
    | TlsKeyMismatch of certificate: string * key: string * detail: string
    /// XMB-210: matchbox did not connect or answer the lookup in time; the endpoint and what did
    /// not happen within how long.
    | ServerTimedOut of endpoint: Endpoint * what: string
    /// XMB-211: the /ipxe answer is not an iPXE script as matchbox writes it; where it came from,
    /// the line number and what is wrong with it.
    | IpxeScriptRejected of url: string * line: int * reason: string
    /// XMB-212: bare --lookup keys (uuid, name) cannot be read from xenstore; the keys needed and
    /// the reason (Xenstore.NotUnderXl for a run by hand). The fix names each key with --lookup.
    | DomainLabelUnavailable of keys: string list * detail: string
    /// XMB-213: several --server hosts were given and none answered the lookup (each was
    /// unreachable, timed out or failed with 5xx/Unavailable, after retries): each server as
    /// messages name it, the code of its last failure and a short detail, in the order asked.
    | NoServerAnswered of failures: (string * string * string) list
    /// XMB-214: matchbox's certificate (gRPC, or HTTPS with --web-ssl) is trusted and names the
    /// host but is outside its validity dates, or a CA certificate of its chain is; the endpoint
    /// and the dates with dom0's clock (TlsFailure).
    | ServerCertificateOutOfDate of endpoint: Endpoint * detail: string

/// The code, cause and fix of each lookup error.
module LookupError =

    /// The detail of a ServerUnreachable for a server that closed the connection right after the
    /// TLS handshake, before a byte of HTTP/2, without a TLS alert: matchbox going away, a TLS
    /// front whose backend is down, or a server refusing the client certificate silently.
    [<Literal>]
    val ClosedAfterHandshake: string = "it closed the connection right after the TLS handshake, before a byte of HTTP/2"

    /// The error's code, cause and fix.
    val explain: error: LookupError -> Explanation

namespace XenMatchbox.Domain

[<RequireQualifiedAccess>]
type Endpoint =
    | Grpc of address: string
    | Ipxe of url: string

[<RequireQualifiedAccess>]
type LookupStatus =
    | Grpc of name: string
    | Http of status: int
    | Redirect of status: int * location: string
    | NoTls
    | NoHttp

type LookupError =
    | NoMatchingGroup of labels: string
    | NoMatchingProfile of labels: string
    | LookupFailed of endpoint: Endpoint * status: LookupStatus * detail: string
    | ServerUnreachable of endpoint: Endpoint * detail: string
    | ServerNotTrusted of endpoint: Endpoint * detail: string
    | ServerNameMismatch of endpoint: Endpoint * detail: string
    | ClientCertificateRefused of endpoint: Endpoint * alert: string
    | TlsFileUnreadable of path: string * detail: string
    | TlsKeyMismatch of certificate: string * key: string * detail: string
    | ServerTimedOut of endpoint: Endpoint * what: string
    | IpxeScriptRejected of url: string * line: int * reason: string
    | DomainLabelUnavailable of keys: string list * detail: string
    | NoServerAnswered of failures: (string * string * string) list
    | ServerCertificateOutOfDate of endpoint: Endpoint * detail: string

module LookupError =

    [<Literal>]
    let ClosedAfterHandshake = "it closed the connection right after the TLS handshake, before a byte of HTTP/2"

    let private shown endpoint =
        match endpoint with
        | Endpoint.Grpc address -> address
        | Endpoint.Ipxe url -> url

    let private transport endpoint =
        match endpoint with
        | Endpoint.Grpc _ -> "gRPC"
        | Endpoint.Ipxe _ -> "HTTP"

    let private status answer =
        match answer with
        | LookupStatus.Grpc name -> name
        | LookupStatus.Http status -> $"HTTP {status}"
        | LookupStatus.Redirect(status, location) -> $"HTTP {status}, a redirect to {location}"
        | LookupStatus.NoTls -> "no TLS"
        | LookupStatus.NoHttp -> "no HTTP"

    let explain error =
        match error with
        | NoMatchingGroup labels ->
            { Code = "XMB-201"
              Cause = $"no matchbox group matches labels {labels}"
              Fix = "add a matchbox group whose selector matches these labels (or a default group), or correct --lookup" }
        | NoMatchingProfile labels ->
            { Code = "XMB-202"
              Cause = $"a matchbox group matches labels {labels} but its profile is missing or unreadable"
              Fix =
                "create the profile the group names under matchbox's profiles/ directory, or fix the group's \"profile\"" }
        | LookupFailed(endpoint, answer, detail) ->
            { Code = "XMB-203"
              Cause = $"matchbox at {shown endpoint} answered the lookup with {status answer}: {detail}"
              Fix =
                match answer with
                | LookupStatus.NoTls
                | LookupStatus.NoHttp ->
                    "point --grpcport at matchbox's -rpc-address and --httpport at its -address (HTTPS only with -web-ssl)"
                | LookupStatus.Redirect _ ->
                    "point --server and --httpport at matchbox itself (with --web-ssl, at its HTTPS port), not at a proxy or server that redirects /ipxe"
                | _ -> "check matchbox's log for the failed request" }
        | ServerUnreachable(endpoint, detail) ->
            { Code = "XMB-204"
              Cause = $"cannot reach matchbox {transport endpoint} at {shown endpoint}: {detail}"
              Fix =
                match endpoint with
                | Endpoint.Ipxe _ ->
                    "check --server and --httpport, and that matchbox serves HTTP (-address) on that port"
                | Endpoint.Grpc _ when detail = ClosedAfterHandshake ->
                    "check that matchbox runs with -rpc-address on --grpcport (behind a TLS proxy, that the proxy reaches it); a server refusing the client certificate without a TLS alert closes so too, so check matchbox's log (with GRPC_GO_LOG_SEVERITY_LEVEL=warning it names a refused certificate) and that --cert is signed by its -ca-file and within its validity dates"
                | Endpoint.Grpc _ ->
                    "check --server and --grpcport, and that matchbox runs with -rpc-address on that port" }
        | ServerNotTrusted(endpoint, detail) ->
            { Code = "XMB-205"
              Cause =
                match endpoint with
                | Endpoint.Grpc _ -> $"the certificate of {shown endpoint} is not trusted: {detail}"
                | Endpoint.Ipxe _ -> $"the HTTPS certificate of {shown endpoint} is not trusted: {detail}"
              Fix =
                match endpoint with
                | Endpoint.Grpc _ ->
                    "give --ca the CA file that signed matchbox's server certificate (matchbox's ca.crt)"
                | Endpoint.Ipxe _ ->
                    "give --web-ca (or --ca) the CA file that signed matchbox's HTTPS certificate (its -web-ssl)" }
        | ServerNameMismatch(endpoint, detail) ->
            { Code = "XMB-206"
              Cause = $"the certificate of {shown endpoint} does not name that host: {detail}"
              Fix =
                "use as --server a name or IP the certificate lists (its SAN), or reissue the certificate with this one in it" }
        | ClientCertificateRefused(endpoint, alert) ->
            { Code = "XMB-207"
              Cause = $"{shown endpoint} refused our client certificate with the TLS alert \"{alert}\""
              Fix =
                "give --cert/--key a client certificate signed by the CA matchbox trusts (its -ca-file) and within its validity dates; matchbox logs why with GRPC_GO_LOG_SEVERITY_LEVEL=warning" }
        | TlsFileUnreadable(path, detail) ->
            { Code = "XMB-208"
              Cause = $"cannot read TLS file {path}: {detail}"
              Fix = "check the path and permissions of the PEM file" }
        | TlsKeyMismatch(certificate, key, detail) ->
            { Code = "XMB-209"
              Cause = $"the client certificate {certificate} and key {key} do not belong together: {detail}"
              Fix = "give --key the private key that was issued with the --cert certificate" }
        | ServerTimedOut(endpoint, what) ->
            { Code = "XMB-210"
              Cause = $"matchbox {transport endpoint} at {shown endpoint} did not answer in time: {what}"
              Fix =
                match endpoint with
                | Endpoint.Ipxe _ ->
                    "check that matchbox is up and reachable on --httpport, or raise --connect-timeout/--timeout"
                | Endpoint.Grpc _ ->
                    "check that matchbox is up and reachable on --grpcport, or raise --connect-timeout/--timeout" }
        | IpxeScriptRejected(url, line, reason) ->
            { Code = "XMB-211"
              Cause = $"the iPXE script from {url} cannot be read: line {line} {reason}"
              Fix =
                "check the profile and the matchbox version behind --httpport, or look the profile up over gRPC (--cert and --key)" }
        | DomainLabelUnavailable(keys, detail) ->
            let keys = if keys.IsEmpty then [ "uuid" ] else keys
            let named = keys |> List.map (fun key -> $"the domain's {key}")
            let verb, it = if keys.Length = 1 then "is", "it" else "are", "them"
            let flags = keys |> List.map (fun key -> $"--lookup {key}=<the domain's {key}>") |> String.concat " "
            let needed = String.concat " and " named
            { Code = "XMB-212"
              Cause = $"{needed} {verb} needed but cannot be read from xenstore: {detail}"
              Fix = $"give {it} with {flags}, or run xenmatchbox under xl in dom0 (xenstore-read on PATH)" }
        | NoServerAnswered failures ->
            let each =
                failures |> List.map (fun (server, code, detail) -> $"{server} {code} {detail}") |> String.concat "; "
            { Code = "XMB-213"
              Cause = $"no matchbox server answered the lookup: {each}"
              Fix =
                "start matchbox on at least one --server host, or check --server and the port (--grpcport, or --httpport over HTTP); each server's code says what failed there" }
        | ServerCertificateOutOfDate(endpoint, detail) ->
            { Code = "XMB-214"
              Cause = $"the certificate of {shown endpoint} is outside its validity dates: {detail}"
              Fix =
                match endpoint with
                | Endpoint.Grpc _ ->
                    "renew matchbox's server certificate (its -cert-file), or, if it is valid, set dom0's clock right"
                | Endpoint.Ipxe _ ->
                    "renew matchbox's HTTPS certificate (its -web-cert-file), or, if it is valid, set dom0's clock right" }

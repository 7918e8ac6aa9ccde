/// Blaming the right thing when a gRPC lookup fails: the chains below are what .NET's gRPC client
/// reported against the test server and the hostile TLS servers of the integration tests.
module GrpcFailureTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.GrpcFailure

let private endpoint = "127.0.0.1:8081"

let private classified status (detail: string) (causes: (string * string) list) =
    let facts =
        { Status = status
          Detail = detail
          Causes = causes |> List.map (fun (kind, message) -> { Kind = kind; Message = message })
          Tls = None }
    GrpcFailure.classify endpoint "case=x" (Limits.tryTime 10 30 None) facts

let private startFailed = "Error starting gRPC call. "

/// Kestrel refusing a client certificate of another CA, or an expired one (TLS 1.3): it sends its
/// session tickets and closes, before any HTTP/2 byte, without an alert or close_notify.
let private refusedByKestrel =
    [ "HttpRequestException",
      "An HTTP/2 connection could not be established because the server did not complete the HTTP/2 handshake. (InvalidResponse)"
      "HttpIOException",
      "An HTTP/2 connection could not be established because the server did not complete the HTTP/2 handshake. (InvalidResponse)"
      "HttpIOException",
      "The response ended prematurely while waiting for the next frame from the server. (ResponseEnded)" ]

/// A server that completed the handshake and then closed the TLS session (close_notify); .NET
/// reports it so, or as refusedByKestrel, depending on timing.
let private closedAfterHandshake =
    [ "HttpRequestException", "An error occurred while sending the request."
      "IOException",
      "An HTTP/2 connection could not be established because the server did not complete the HTTP/2 handshake."
      "ObjectDisposedException", "Cannot access a disposed object." ]

/// A server that completed the handshake and then reset the connection (a restart).
let private resetAfterHandshake =
    [ "HttpRequestException", "An error occurred while sending the request."
      "IOException", "Unable to read data from the transport connection: Connection reset by peer."
      "SocketException", "Connection reset by peer" ]

let private describeChain chain =
    startFailed + (chain |> List.map (fun (k, m) -> $"{k}: {m}") |> String.concat " ")

/// matchbox (Go's TLS stack) refusing our client certificate under TLS 1.3: the client finished
/// its side of the handshake, so it reads the alert when it waits for the server's HTTP/2
/// settings. This is what .NET reported against matchbox v0.9.0 for another CA and an expired
/// certificate alike, both "bad certificate".
let private alertAfterHandshake (alert: string) =
    [ "HttpRequestException",
      "An HTTP/2 connection could not be established because the server did not complete the HTTP/2 handshake. (InvalidResponse)"
      "HttpIOException",
      "An HTTP/2 connection could not be established because the server did not complete the HTTP/2 handshake. (InvalidResponse)"
      "IOException", "The decryption operation failed, see inner exception."
      "SslException", "Decrypt failed with OpenSSL error - SSL_ERROR_SSL."
      "OpenSslCryptographicException", $"error:0A000412:SSL routines::sslv3 alert {alert}" ]

/// The same under TLS 1.2, where the alert ends the handshake itself.
let private alertInHandshake (alert: string) =
    [ "HttpRequestException", "The SSL connection could not be established, see inner exception."
      "AuthenticationException", "Authentication failed, see inner exception."
      "SslException", "SSL Handshake failed with OpenSSL error - SSL_ERROR_SSL."
      "OpenSslCryptographicException", $"error:0A000416:SSL routines::tlsv1 alert {alert}" ]

[<Fact>]
let ``a close right after the handshake is XMB-204 on every try, and its fix names the certificate as one cause`` () =
    for chain in [ refusedByKestrel; closedAfterHandshake ] do
        match classified "Unavailable" (describeChain chain) chain with
        | Lookup(ServerUnreachable(e, detail)) as error ->
            Expect.equal "the endpoint" (Endpoint.Grpc endpoint) e
            Expect.equalText "it closed the connection right after the TLS handshake, before a byte of HTTP/2" detail
            Expect.isTrue "retried" (Transfer.isTransient error)
            Expect.isTrue (fix error) ((fix error).Contains "client certificate")
            Expect.isTrue (fix error) ((fix error).Contains "matchbox's log")
        | other -> Expect.fail $"{describeChain chain}: expected XMB-204, got %A{other}"

[<Fact>]
let ``a certificate alert from the server is XMB-207 naming the alert, during the handshake or after it`` () =
    for alert in
        [ "bad certificate"
          "unknown ca"
          "certificate expired"
          "certificate required"
          "certificate unknown"
          "certificate revoked"
          "unsupported certificate"
          "access denied" ] do
        for chain in [ alertAfterHandshake alert; alertInHandshake alert ] do
            match classified "Unavailable" (describeChain chain) chain with
            | Lookup(ClientCertificateRefused(e, detail)) as error ->
                Expect.equal "the endpoint" (Endpoint.Grpc endpoint) e
                Expect.equalText alert detail
                Expect.isTrue "not retried" (not (Transfer.isTransient error))
                Expect.equalText
                    $"XMB-207: {endpoint} refused our client certificate with the TLS alert \"{alert}\" — give --cert/--key a client certificate signed by the CA matchbox trusts (its -ca-file) and within its validity dates; matchbox logs why with GRPC_GO_LOG_SEVERITY_LEVEL=warning"
                    (describe error)
            | other -> Expect.fail $"{alert}: expected XMB-207, got %A{other}"

[<Fact>]
let ``an alert OpenSSL names by number is read as well`` () =
    let chain =
        [ "AuthenticationException", "Authentication failed, see inner exception."
          "OpenSslCryptographicException",
          "error:0A000418:SSL routines:ssl3_read_bytes:reason(1048):SSL alert number 48" ]
    match classified "Unavailable" (describeChain chain) chain with
    | Lookup(ClientCertificateRefused(_, detail)) -> Expect.equalText "unknown ca" detail
    | other -> Expect.fail $"expected XMB-207, got %A{other}"

[<Fact>]
let ``the alert is named without the text that follows it`` () =
    let chain =
        [ "OpenSslCryptographicException", "error:0A000412:SSL routines::sslv3 alert bad certificate"
          "IOException", "Unable to read data from the transport connection." ]
    match classified "Unavailable" (describeChain chain) chain with
    | Lookup(ClientCertificateRefused(_, detail)) -> Expect.equalText "bad certificate" detail
    | other -> Expect.fail $"expected XMB-207, got %A{other}"

[<Fact>]
let ``an alert that is not about a certificate is not blamed on it`` () =
    for alert in [ "handshake failure"; "protocol version"; "internal error" ] do
        match classified "Unavailable" (describeChain (alertInHandshake alert)) (alertInHandshake alert) with
        | Lookup(LookupFailed(_, LookupStatus.Grpc "Unavailable", detail)) ->
            Expect.equalText $"the TLS handshake ended with the alert \"{alert}\" from the server" detail
        | other -> Expect.fail $"{alert}: expected XMB-203, got %A{other}"

[<Fact>]
let ``a connection reset after the handshake is XMB-204, which is retried`` () =
    match classified "Unavailable" (describeChain resetAfterHandshake) resetAfterHandshake with
    | Lookup(ServerUnreachable(e, _)) as error ->
        Expect.equal "the endpoint" (Endpoint.Grpc endpoint) e
        Expect.isTrue "retried" (Transfer.isTransient error)
    | other -> Expect.fail $"expected XMB-204, got %A{other}"

[<Fact>]
let ``a server closing the HTTP/2 connection mid-call (a restart) is XMB-204, even as status Internal`` () =
    let chain =
        [ "HttpRequestException",
          "The HTTP/2 server closed the connection. HTTP/2 error code 'NO_ERROR' (0x0). (HttpProtocolError)"
          "HttpProtocolException",
          "The HTTP/2 server closed the connection. HTTP/2 error code 'NO_ERROR' (0x0). (HttpProtocolError)" ]
    match classified "Internal" (describeChain chain) chain with
    | Lookup(ServerUnreachable _) as error -> Expect.isTrue "retried" (Transfer.isTransient error)
    | other -> Expect.fail $"expected XMB-204, got %A{other}"

[<Fact>]
let ``a handshake broken off without an alert is XMB-204, not the certificate's fault`` () =
    let chain =
        [ "HttpRequestException", "The SSL connection could not be established, see inner exception."
          "AuthenticationException", "Authentication failed because the remote party has closed the transport stream." ]
    match classified "Unavailable" (describeChain chain) chain with
    | Lookup(ServerUnreachable _) -> ()
    | other -> Expect.fail $"expected XMB-204, got %A{other}"

[<Fact>]
let ``a refused connection is XMB-204 with the socket's message`` () =
    let chain =
        [ "HttpRequestException", "Connection refused (127.0.0.1:8081)"; "SocketException", "Connection refused" ]
    match classified "Unavailable" (describeChain chain) chain with
    | Lookup(ServerUnreachable(_, detail)) -> Expect.equalText "Connection refused" detail
    | other -> Expect.fail $"expected XMB-204, got %A{other}"

[<Fact>]
let ``the server's trust, name and protocol failures keep their codes`` () =
    let check expected (chain: (string * string) list) =
        let error = classified "Unavailable" (describeChain chain) chain
        Expect.equalText expected (code error)
    check
        "XMB-205"
        [ "AuthenticationException",
          "The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot" ]
    check
        "XMB-206"
        [ "AuthenticationException",
          "The remote certificate is invalid according to the validation procedure: RemoteCertificateNameMismatch" ]
    check
        "XMB-203"
        [ "HttpIOException",
          "The HTTP/2 server sent invalid data on the connection. HTTP/2 error code 'FRAME_SIZE_ERROR' (0x6). (frame size)" ]
    check
        "XMB-210"
        [ "HttpRequestException", "connect timed out"
          "TimeoutException", "A connection could not be established within 10 seconds." ]

[<Fact>]
let ``matchbox's answers: no group, no profile, a deadline, another status`` () =
    Expect.equalText "XMB-201" (code (classified "NotFound" "No matching Group" []))
    Expect.equalText "XMB-202" (code (classified "NotFound" "Profile not found" []))
    Expect.equalText "XMB-210" (code (classified "DeadlineExceeded" "" []))
    match classified "PermissionDenied" "no\nmore" [] with
    | Lookup(LookupFailed(_, status, detail)) ->
        Expect.equal "status and detail" (LookupStatus.Grpc "PermissionDenied", "no") (status, detail)
    | other -> Expect.fail $"expected XMB-203, got %A{other}"

[<Property(MaxTest = 200)>]
let ``sizes a server declares add up without wrapping past any limit`` () =
    Prop.forAll
        (Arb.fromGen (Gen.zip (Gen.choose64 (0L, System.Int64.MaxValue)) (Gen.choose64 (0L, System.Int64.MaxValue))))
        (fun (a, b) ->
            let sum = Transfer.addSizes a b
            Expect.isTrue $"{a} + {b} = {sum}" (sum >= a && sum >= b)
            Expect.isTrue
                $"{a} + {b} = {sum}"
                (sum = (if a > System.Int64.MaxValue - b then System.Int64.MaxValue else a + b)))

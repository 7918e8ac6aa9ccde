/// Naming the failure of an HTTP request that got no answer, an asset's or /ipxe's: the chains
/// below are what .NET's HttpClient reported against the test server and the hostile servers of
/// the integration tests.
module HttpFailureTests

open System
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.HttpFailure

let private url = "https://mb.example.com/assets/vmlinuz"
let private endpoint = "http://mb.example.com:8080/ipxe"
let private now = DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero)

/// An asset request's time at the default flags; an /ipxe try's, cut to a share of the deadline.
let private assetTime = Limits.requestTime 10 30
let private ipxeTime = Limits.tryTime 10 30 (Some 18_300L)

let private facts (causes: (string * string) list) requestError tls =
    { Causes = causes |> List.map (fun (kind, message) -> { GrpcFailure.Kind = kind; GrpcFailure.Message = message })
      RequestError = requestError
      Tls = tls }

let private refusedConnection =
    [ "HttpRequestException", "Connection refused (mb.example.com:8080)"; "SocketException", "Connection refused" ]

let private connectTimedOut =
    [ "TaskCanceledException", "The operation was canceled."
      "TimeoutException", "A connection could not be established within the configured ConnectTimeout." ]

let private answerTimedOut = [ "TaskCanceledException", "The operation was canceled." ]

let private handshakeFailed =
    [ "HttpRequestException", "The SSL connection could not be established, see inner exception."
      "AuthenticationException", "Authentication failed, see inner exception."
      "SslException", "SSL Handshake failed with OpenSSL error - SSL_ERROR_SSL." ]

let private notHttp =
    [ "HttpRequestException", "The server returned an invalid or unrecognized response."
      "HttpIOException", "Received an invalid status line: 'SSH-2.0-OpenSSH_9.2p1 Debian-2'." ]

let private untrustedCertificate =
    { TlsFailure.Host = "mb.example.com"
      TlsFailure.Now = now
      TlsFailure.Certificate =
        Some
            { Subject = "CN=mb.example.com"
              Issuer = "CN=other-ca"
              DnsNames = [ "mb.example.com" ]
              IpAddresses = []
              NotBefore = now.AddDays -30.
              NotAfter = now.AddDays 30. }
      TlsFailure.NameMismatch = false
      TlsFailure.Chains = [ { Anchors = "the system store"; Status = [ "PartialChain" ] } ]
      TlsFailure.FirstBytes = [||] }

let private plainHttpAnswer =
    { untrustedCertificate with
        Certificate = None
        Chains = []
        FirstBytes = "HTTP/1.1 400 Bad Request\r\n"B }

[<Fact>]
let ``an asset's failures read as before: timeouts name their bound, TLS its failure, the rest the client's words`` () =
    let said causes requestError tls =
        describe (classify (Asset url) assetTime (facts causes requestError tls))
    Expect.equalText
        $"XMB-409: {url} did not answer in time: no answer within 30 s — check the asset server and the network, or raise --read-timeout/--connect-timeout/--timeout"
        (said answerTimedOut None None)
    Expect.equalText
        $"XMB-402: cannot download {url}: Connection refused (mb.example.com:8080) — check --server and --httpport (or the URL's host) and that the HTTP server is up"
        (said refusedConnection (Some "ConnectionError") None)
    Expect.contains
        "a handshake that broke off"
        $"cannot download {url}: the TLS handshake failed: SSL Handshake failed with OpenSSL error - SSL_ERROR_SSL."
        (said handshakeFailed (Some "SecureConnectionError") None)
    Expect.contains
        "a certificate refused"
        "is not trusted: it is issued by CN=other-ca, and the system store does not vouch for it (PartialChain)"
        (said handshakeFailed (Some "SecureConnectionError") (Some untrustedCertificate))
    Expect.contains
        "no TLS"
        "an HTTP server answered \"HTTP/1.1 400 Bad Request\""
        (said handshakeFailed (Some "SecureConnectionError") (Some plainHttpAnswer))
    Expect.contains
        "not HTTP"
        $"{url} sent something that is not an HTTP answer (The server returned an invalid or unrecognized response.)"
        (said notHttp (Some "InvalidResponse") None)
    Expect.contains
        "headers over the limit"
        $"{url} sent response headers over the limit a client accepts (big)"
        (said [ "HttpRequestException", "big" ] (Some "ConfigurationLimitExceeded") None)
    Expect.contains
        "connect timeout under the request's exception"
        "no connection within 10 s"
        (said [ "HttpRequestException", "x"; "TimeoutException", "y" ] (Some "ConnectionError") None)

[<Fact>]
let ``an /ipxe try's failures read as before, its timeouts naming the server's share`` () =
    let classified causes requestError tls =
        classify (Ipxe endpoint) ipxeTime (facts causes requestError tls)
    Assert.Equal(
        Lookup(ServerTimedOut(Endpoint.Ipxe endpoint, "no connection within 10 s")),
        classified connectTimedOut None None
    )
    Assert.Equal(
        Lookup(
            ServerTimedOut(
                Endpoint.Ipxe endpoint,
                "no answer within 18.3 s, this server's share of the time left before the deadline"
            )
        ),
        classified answerTimedOut None None
    )
    Assert.Equal(
        Lookup(ServerUnreachable(Endpoint.Ipxe endpoint, "Connection refused (mb.example.com:8080)")),
        classified refusedConnection (Some "ConnectionError") None
    )
    Assert.Equal(
        Lookup(
            LookupFailed(
                Endpoint.Ipxe endpoint,
                LookupStatus.NoHttp,
                "the answer is not sound HTTP (The server returned an invalid or unrecognized response.); is --httpport matchbox's HTTP port (-address)?"
            )
        ),
        classified notHttp (Some "InvalidResponse") None
    )
    Assert.Equal(
        Lookup(
            ServerUnreachable(
                Endpoint.Ipxe endpoint,
                "the TLS handshake failed: SSL Handshake failed with OpenSSL error - SSL_ERROR_SSL."
            )
        ),
        classified handshakeFailed (Some "SecureConnectionError") None
    )
    Assert.Equal(
        TlsFailure.lookupError (Endpoint.Ipxe endpoint) (TlsFailure.judge untrustedCertificate).Value,
        classified handshakeFailed (Some "SecureConnectionError") (Some untrustedCertificate)
    )

// ---- every combination of facts, against the catch ladders the shell had ----

let private outers = [ "HttpRequestException"; "OperationCanceledException"; "TaskCanceledException" ]

let private unders =
    [ None
      Some "TimeoutException"
      Some "OperationCanceledException"
      Some "TaskCanceledException"
      Some "AuthenticationException"
      Some "SocketException"
      Some "HttpIOException"
      Some "IOException" ]

let private requestErrors =
    [ None
      Some "InvalidResponse"
      Some "ConfigurationLimitExceeded"
      Some "ConnectionError"
      Some "SecureConnectionError"
      Some "Unknown" ]

let private tlsSeen =
    [ None
      Some untrustedCertificate
      Some plainHttpAnswer
      Some { plainHttpAnswer with FirstBytes = [| 22uy; 3uy; 3uy |] } ]

let private combination =
    gen {
        let! asset = Gen.elements [ true; false ]
        let! outer = Gen.elements outers
        let! under = Gen.elements unders
        let! requestError = Gen.elements requestErrors
        let! tls = Gen.elements tlsSeen
        // The request error is the HttpRequestException's: an OperationCanceledException has none.
        let requestError = if outer = "HttpRequestException" then requestError else None
        return asset, outer, under, requestError, tls
    }

let private cancelled kind =
    kind = "OperationCanceledException" || kind = "TaskCanceledException"

/// The code each ladder gave: AssetHttp.SendAsync's catches for an asset, IpxeLookup's for /ipxe.
let private ladder asset outer (under: string option) requestError (tls: TlsFailure.Facts option) =
    let under = defaultArg under ""
    let tlsCode onError =
        match tls |> Option.bind TlsFailure.judge with
        | Some failure -> code (onError failure)
        | None -> if asset then "XMB-402" else "XMB-204"
    if asset then
        if cancelled outer then "XMB-409"
        elif under = "TimeoutException" || cancelled under then "XMB-409"
        elif under = "AuthenticationException" then tlsCode (TlsFailure.assetError url)
        elif requestError = Some "InvalidResponse" || requestError = Some "ConfigurationLimitExceeded" then "XMB-413"
        else "XMB-402"
    else if cancelled outer then
        "XMB-210"
    elif under = "TimeoutException" then
        "XMB-210"
    elif under = "AuthenticationException" then
        tlsCode (TlsFailure.lookupError (Endpoint.Ipxe endpoint))
    elif requestError = Some "InvalidResponse" || requestError = Some "ConfigurationLimitExceeded" then
        "XMB-203"
    else
        "XMB-204"

[<Property(MaxTest = 1000)>]
let ``every combination of facts gets the code the shell's catch ladders gave`` () =
    Prop.forAll (Arb.fromGen combination) (fun (asset, outer, under, requestError, tls) ->
        let causes =
            (outer, "outer") :: (under |> Option.map (fun kind -> kind, "under") |> Option.toList)
            @ [ "SocketException", "innermost" ]
        let target = if asset then Asset url else Ipxe endpoint
        let time = if asset then assetTime else ipxeTime
        let error = classify target time (facts causes requestError tls)
        Expect.equal
            $"{outer} over {under}, {requestError}, TLS {tls.IsSome}"
            (ladder asset outer under requestError tls)
            (code error)
        // The stage, and with it the exit status, follows the target.
        match target, error with
        | Asset _, Download _
        | Ipxe _, Lookup _ -> ()
        | _ -> Expect.fail $"{code error} for {target}")

[<Property(MaxTest = 300)>]
let ``a timeout names the bound that ran out, and no timeout is retried`` () =
    let case = Gen.zip3 (Gen.elements [ true; false ]) (Gen.choose (1, 600)) (Gen.choose (1, 600))
    Prop.forAll (Arb.fromGen case) (fun (asset, connect, read) ->
        let target = if asset then Asset url else Ipxe endpoint
        let time = if asset then Limits.requestTime connect read else Limits.tryTime connect read None
        let connectTimeout =
            classify target time (facts [ "HttpRequestException", "x"; "TimeoutException", "y" ] None None)
        let answerTimeout = classify target time (facts answerTimedOut None None)
        Expect.contains "connect" $"no connection within {connect} s" (describe connectTimeout)
        let answerSeconds = if asset then read else connect + read
        Expect.contains "answer" $"no answer within {answerSeconds} s" (describe answerTimeout)
        Expect.isTrue "not retried" (not (Transfer.isTransient connectTimeout || Transfer.isTransient answerTimeout)))

[<Property(MaxTest = 300)>]
let ``a handshake is retried only when it broke off without a failure TLS can name`` () =
    Prop.forAll (Arb.fromGen (Gen.zip (Gen.elements [ true; false ]) (Gen.elements tlsSeen))) (fun (asset, tls) ->
        let target = if asset then Asset url else Ipxe endpoint
        let error =
            classify target (Limits.requestTime 10 30) (facts handshakeFailed (Some "SecureConnectionError") tls)
        let named = tls |> Option.bind TlsFailure.judge |> Option.isSome
        Expect.equal $"{code error} retried" (not named) (Transfer.isTransient error))

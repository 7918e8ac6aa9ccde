/// Naming the failure of a TLS handshake from what the client saw: a certificate refused for its
/// chain, its names or its dates (in that order), or an answer that is not TLS at all.
module TlsFailureTests

open System
open System.Text
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.TlsFailure

let private now = DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero)

let private certificate: Certificate =
    { Subject = "CN=matchbox"
      Issuer = "CN=matchbox-ca"
      DnsNames = [ "matchbox.example.com" ]
      IpAddresses = [ "10.0.0.5" ]
      NotBefore = now.AddDays -30.
      NotAfter = now.AddDays 30. }

let private refused (certificate: Certificate) nameMismatch chains =
    { Host = "mb.example.com"
      Now = now
      Certificate = Some certificate
      NameMismatch = nameMismatch
      Chains = chains
      FirstBytes = [||] }

let private answering (bytes: byte array) =
    { Host = "mb.example.com"
      Now = now
      Certificate = None
      NameMismatch = false
      Chains = []
      FirstBytes = bytes }

let private chain anchors status = { Anchors = anchors; Status = status }

let private said facts =
    match judge facts with
    | Some failure -> describe failure
    | None -> "(none)"

/// A certificate wrong in any of three ways, as the platform reports it: a chain to no anchors
/// (with NotTimeValid too when it is also out of date), another name, dates that have passed.
let private threeWays =
    Gen.zip3 (Gen.elements [ false; true ]) (Gen.elements [ false; true ]) (Gen.elements [ false; true ])
    |> Gen.filter (fun (untrusted, misnamed, expired) -> untrusted || misnamed || expired)

[<Property(MaxTest = 100)>]
let ``a refused certificate is judged chain first, then name, then dates`` () =
    Prop.forAll (Arb.fromGen threeWays) (fun (untrusted, misnamed, expired) ->
        let dated =
            if expired then
                { certificate with NotBefore = now.AddDays -60.; NotAfter = now.AddDays -1. }
            else
                certificate
        let time = if expired then [ "NotTimeValid" ] else []
        let chains =
            if untrusted then [ chain "--ca /etc/matchbox/ca.crt" ([ "UntrustedRoot" ] @ time) ]
            elif expired then [ chain "--ca /etc/matchbox/ca.crt" time ]
            else []
        match judge (refused dated misnamed chains), untrusted, misnamed with
        | Some(Untrusted _), true, _ -> ()
        | Some(Misnamed _), false, true -> ()
        | Some(OutOfDate(_, _, _, true)), false, false -> ()
        | verdict, _, _ -> Expect.fail $"untrusted {untrusted}, misnamed {misnamed}, expired {expired}: %A{verdict}")

[<Fact>]
let ``the chain names the issuer, the anchors tried and the platform's flags`` () =
    Expect.equalText
        "it is issued by CN=matchbox-ca, and --ca /etc/matchbox/ca.crt does not vouch for it (PartialChain)"
        (said (refused certificate true [ chain "--ca /etc/matchbox/ca.crt" [ "PartialChain" ] ]))
    Expect.equalText
        "it is issued by CN=matchbox-ca, and neither the system store, --ca /a nor --web-ca /b vouches for it (UntrustedRoot, NotTimeValid)"
        (said (
            refused
                certificate
                false
                [ chain "the system store" [ "UntrustedRoot" ]
                  chain "--ca /a" [ "UntrustedRoot"; "NotTimeValid" ]
                  chain "--web-ca /b" [ "UntrustedRoot" ] ]
        ))
    Expect.equalText
        "it is self-signed (CN=matchbox), and --ca /a does not vouch for it (UntrustedRoot)"
        (said (refused { certificate with Issuer = "CN=matchbox" } false [ chain "--ca /a" [ "UntrustedRoot" ] ]))

[<Fact>]
let ``one chain that leads to its anchors but for the dates is trusted for the chain's sake`` () =
    let expired = { certificate with NotAfter = now.AddDays -1. }
    match
        judge (
            refused expired false [ chain "the system store" [ "UntrustedRoot" ]; chain "--ca /a" [ "NotTimeValid" ] ]
        )
    with
    | Some(OutOfDate(_, _, _, true)) -> ()
    | other -> Expect.fail $"%A{other}"

[<Fact>]
let ``the names are those the certificate holds, and the host asked for`` () =
    Expect.equalText
        "it names DNS matchbox.example.com, IP 10.0.0.5, not mb.example.com"
        (said (refused certificate true []))
    Expect.equalText
        "it names no DNS name or IP address (its subject is CN=matchbox), not mb.example.com"
        (said (refused { certificate with DnsNames = []; IpAddresses = [] } true []))

[<Fact>]
let ``dates: expired, not yet valid, or a CA of its chain, with dom0's clock`` () =
    Expect.equalText
        "it expired on 2026-12-06 12:00:00 UTC (valid from 2026-11-07 12:00:00 UTC; dom0's clock says 2026-12-07 12:00:00 UTC)"
        (said (refused { certificate with NotAfter = now.AddDays -1. } false [ chain "--ca /a" [ "NotTimeValid" ] ]))
    Expect.equalText
        "it is not valid before 2026-12-08 12:00:00 UTC (dom0's clock says 2026-12-07 12:00:00 UTC)"
        (said (refused { certificate with NotBefore = now.AddDays 1. } false [ chain "--ca /a" [ "NotTimeValid" ] ]))
    Expect.equalText
        "a CA certificate of its chain is outside its validity dates (dom0's clock says 2026-12-07 12:00:00 UTC)"
        (said (refused certificate false [ chain "--ca /a" [ "NotTimeValid"; "NotTimeNested" ] ]))

[<Fact>]
let ``an answer that is not TLS says what answered; TLS or nothing is no verdict`` () =
    let ascii (text: string) = Encoding.ASCII.GetBytes text
    Expect.equalText
        "an HTTP server answered \"HTTP/1.1 400 Bad Request\""
        (said (answering (ascii "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")))
    Expect.equalText "it answered \"SSH-2.0-OpenSSH_9.2p1\"" (said (answering (ascii "SSH-2.0-OpenSSH_9.2p1\r\n")))
    Expect.equalText
        "its first bytes are 00 01 02 67 61 72 62 61, which no TLS record starts with"
        (said (answering [| 0uy; 1uy; 2uy; yield! ascii "garbage" |]))
    // A TLS alert or handshake record, and no answer at all, say nothing about what failed.
    Expect.equalText "(none)" (said (answering [| 21uy; 3uy; 3uy; 0uy; 2uy; 2uy; 42uy |]))
    Expect.equalText "(none)" (said (answering [| 22uy; 3uy; 3uy |]))
    Expect.equalText "(none)" (said (answering [||]))

[<Fact>]
let ``each failure has its code on each road: gRPC, the HTTPS lookup, an https:// asset`` () =
    let grpc = Endpoint.Grpc "mb.example.com:8081"
    let ipxe = Endpoint.Ipxe "https://mb.example.com:8080/ipxe"
    let url = "https://assets.example.com/vmlinuz"
    let untrusted = Untrusted("CN=x", false, [ "--ca /a" ], [ "UntrustedRoot" ])
    let misnamed = Misnamed([ "DNS x" ], "CN=x", "mb.example.com")
    let outOfDate = OutOfDate(now.AddDays -2., now.AddDays -1., now, true)
    let notTls = NotTls "an HTTP server answered \"HTTP/1.1 400 Bad Request\""
    let codes road =
        [ untrusted; misnamed; outOfDate; notTls ] |> List.map (road >> code)
    Expect.equal "gRPC" [ "XMB-205"; "XMB-206"; "XMB-214"; "XMB-203" ] (codes (lookupError grpc))
    Expect.equal "HTTPS lookup" [ "XMB-205"; "XMB-206"; "XMB-214"; "XMB-203" ] (codes (lookupError ipxe))
    Expect.equal "asset" [ "XMB-410"; "XMB-412"; "XMB-410"; "XMB-413" ] (codes (assetError url))
    Expect.isTrue "gRPC's hint" ((cause (lookupError grpc notTls)).Contains "--grpcport")
    Expect.isTrue "the HTTPS lookup's hint" ((cause (lookupError ipxe notTls)).Contains "drop --web-ssl")
    Expect.isTrue
        "not retried"
        ([ untrusted; misnamed; outOfDate; notTls ] |> List.forall (lookupError grpc >> Transfer.isTransient >> not))

[<Fact>]
let ``over gRPC the TLS facts come before the platform's words: an unknown CA that also lacks the name is the chain``
    ()
    =
    let facts: GrpcFailure.Facts =
        { Status = "Unavailable"
          Detail = "Error starting gRPC call."
          Causes =
            [ { Kind = "AuthenticationException"
                Message =
                  "The remote certificate is invalid according to the validation procedure: RemoteCertificateNameMismatch, RemoteCertificateChainErrors" } ]
          Tls = Some(refused certificate true [ chain "--ca /a" [ "PartialChain" ] ]) }
    Expect.equalText
        "XMB-205"
        (code (GrpcFailure.classify "mb.example.com:8081" "case=x" (Limits.tryTime 10 30 None) facts))

// ---- which anchors each connection trusts ----

let private caFiles = Gen.elements [ None; Some "/etc/matchbox/ca.crt" ]
let private webCaFiles = Gen.elements [ None; Some "/etc/matchbox/web-ca.crt" ]

[<Property>]
let ``gRPC trusts --ca alone, never the system store, whatever else is given`` () =
    Prop.forAll (Arb.fromGen (Gen.zip caFiles webCaFiles)) (fun (ca, webCa) ->
        Expect.equal "gRPC" [ Ca ca ] (trustedAnchors Grpc ca webCa))

[<Property>]
let ``HTTPS tries --ca, then --web-ca, each when given, and the system store last`` () =
    Prop.forAll (Arb.fromGen (Gen.zip caFiles webCaFiles)) (fun (ca, webCa) ->
        let anchors = trustedAnchors Https ca webCa
        Expect.equal "the system store last" SystemStore (List.last anchors)
        Expect.equal "--ca when given" ca.IsSome (anchors |> List.contains (Ca ca))
        Expect.equal
            "--web-ca when given"
            webCa.IsSome
            (webCa |> Option.exists (fun f -> List.contains (WebCa f) anchors))
        Expect.equal "no more" (1 + Option.count ca + Option.count webCa) anchors.Length
        Expect.equal
            "in order"
            anchors
            (List.sortBy
                (function
                | Ca _ -> 0
                | WebCa _ -> 1
                | SystemStore -> 2)
                anchors))

[<Fact>]
let ``the anchors are named as the operator gave them, and read with the system store first`` () =
    Assert.Equal<string list>(
        [ "--ca /etc/matchbox/ca.crt"; "--ca"; "--web-ca /w.crt"; "the system store" ],
        [ Ca(Some "/etc/matchbox/ca.crt"); Ca None; WebCa "/w.crt"; SystemStore ] |> List.map anchorsName
    )
    let tried =
        [ chain "--ca /a" [ "UntrustedRoot" ]
          chain "--web-ca /b" [ "PartialChain" ]
          chain "the system store" [ "PartialChain" ] ]
    Assert.Equal<string list>(
        [ "the system store"; "--ca /a"; "--web-ca /b" ],
        readingOrder tried |> List.map _.Anchors
    )
    Expect.equalText
        "it is issued by CN=matchbox-ca, and neither the system store, --ca /a nor --web-ca /b vouches for it (PartialChain, UntrustedRoot)"
        (said (refused certificate false (readingOrder tried)))

module internal XenMatchbox.Domain.TlsFailure

open System
open System.Globalization
open XenMatchbox.Domain.Errors

type Certificate =
    { Subject: string
      Issuer: string
      DnsNames: string list
      IpAddresses: string list
      NotBefore: DateTimeOffset
      NotAfter: DateTimeOffset }

type Chain = { Anchors: string; Status: string list }

type Facts =
    { Host: string
      Now: DateTimeOffset
      Certificate: Certificate option
      NameMismatch: bool
      Chains: Chain list
      FirstBytes: byte array }

type Failure =
    | Untrusted of issuer: string * selfSigned: bool * anchors: string list * status: string list
    | Misnamed of names: string list * subject: string * host: string
    | OutOfDate of notBefore: DateTimeOffset * notAfter: DateTimeOffset * now: DateTimeOffset * leaf: bool
    | NotTls of answered: string

type Anchors =
    | Ca of file: string option
    | WebCa of file: string
    | SystemStore

type Connection =
    | Grpc
    | Https

let trustedAnchors connection caFile webCaFile =
    match connection with
    | Grpc -> [ Ca caFile ]
    | Https ->
        (caFile |> Option.map (Some >> Ca) |> Option.toList)
        @ (webCaFile |> Option.map WebCa |> Option.toList)
        @ [ SystemStore ]

let anchorsName anchors =
    match anchors with
    | Ca(Some file) -> $"--ca {file}"
    | Ca None -> "--ca"
    | WebCa file -> $"--web-ca {file}"
    | SystemStore -> "the system store"

let readingOrder (chains: Chain list) =
    chains |> List.sortBy (fun chain -> if chain.Anchors = anchorsName SystemStore then 0 else 1)

/// The flags that only say a certificate of the chain is outside its dates.
let private timeFlags = set [ "NotTimeValid"; "NotTimeNested" ]

/// A TLS record starts with its content type (change_cipher_spec 20 to heartbeat 24) and the
/// major version 3.
let private isTls (bytes: byte array) =
    bytes.Length > 0 && bytes[0] >= 20uy && bytes[0] <= 24uy && (bytes.Length < 2 || bytes[1] = 3uy)

let private printable (b: byte) = b >= 0x20uy && b < 0x7Fuy

let answered (firstBytes: byte array) =
    let firstLine = firstBytes |> Array.takeWhile (fun b -> b <> 13uy && b <> 10uy) |> Array.truncate 60
    let text = String(firstLine |> Array.map char)
    if firstBytes.Length = 0 then
        "it sent nothing"
    elif text.StartsWith("HTTP/", StringComparison.Ordinal) && firstLine |> Array.forall printable then
        $"an HTTP server answered \"{text}\""
    elif firstLine.Length > 0 && firstLine |> Array.forall printable then
        $"it answered \"{text}\""
    else
        let hex =
            firstBytes
            |> Array.truncate 8
            |> Array.map (fun b -> b.ToString("x2", CultureInfo.InvariantCulture))
            |> String.concat " "
        $"its first bytes are {hex}, which no TLS record starts with"

let judge (facts: Facts) =
    match facts.Certificate with
    | Some certificate ->
        let trustedBarDates = facts.Chains |> List.exists (fun chain -> chain.Status |> List.forall timeFlags.Contains)
        let trusted = facts.Chains |> List.exists (fun chain -> chain.Status.IsEmpty)
        if not facts.Chains.IsEmpty && not trustedBarDates then
            Some(
                Untrusted(
                    certificate.Issuer,
                    (certificate.Issuer = certificate.Subject),
                    facts.Chains |> List.map _.Anchors,
                    facts.Chains |> List.collect _.Status |> List.distinct
                )
            )
        elif facts.NameMismatch then
            let names =
                (certificate.DnsNames |> List.map (fun name -> $"DNS {name}"))
                @ (certificate.IpAddresses |> List.map (fun address -> $"IP {address}"))
            Some(Misnamed(names, certificate.Subject, facts.Host))
        elif not facts.Chains.IsEmpty && not trusted then
            let leaf = facts.Now < certificate.NotBefore || facts.Now > certificate.NotAfter
            Some(OutOfDate(certificate.NotBefore, certificate.NotAfter, facts.Now, leaf))
        else
            None
    | None when facts.FirstBytes.Length > 0 && not (isTls facts.FirstBytes) -> Some(NotTls(answered facts.FirstBytes))
    | None -> None

let private time (at: DateTimeOffset) =
    at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC"

/// "A does not vouch for it", "neither A nor B vouches for it", "neither A, B nor C vouches for it".
let private noneOf (anchors: string list) =
    match List.rev anchors with
    | [] -> "no CA given vouches for it"
    | [ one ] -> $"{one} does not vouch for it"
    | last :: rest -> $"""neither {String.Join(", ", List.rev rest)} nor {last} vouches for it"""

let describe failure =
    match failure with
    | Untrusted(issuer, selfSigned, anchors, status) ->
        let flags = if status.IsEmpty then "" else $""" ({String.Join(", ", status)})"""
        if selfSigned then
            $"it is self-signed ({issuer}), and {noneOf anchors}{flags}"
        else
            $"it is issued by {issuer}, and {noneOf anchors}{flags}"
    | Misnamed([], subject, host) -> $"it names no DNS name or IP address (its subject is {subject}), not {host}"
    | Misnamed(names, _, host) -> $"""it names {String.Join(", ", names)}, not {host}"""
    | OutOfDate(notBefore, _, now, true) when now < notBefore ->
        $"it is not valid before {time notBefore} (dom0's clock says {time now})"
    | OutOfDate(notBefore, notAfter, now, true) ->
        $"it expired on {time notAfter} (valid from {time notBefore}; dom0's clock says {time now})"
    | OutOfDate(_, _, now, false) ->
        $"a CA certificate of its chain is outside its validity dates (dom0's clock says {time now})"
    | NotTls what -> what

let lookupError endpoint failure =
    let detail = describe failure
    match failure with
    | Untrusted _ -> Lookup(ServerNotTrusted(endpoint, detail))
    | Misnamed _ -> Lookup(ServerNameMismatch(endpoint, detail))
    | OutOfDate _ -> Lookup(ServerCertificateOutOfDate(endpoint, detail))
    | NotTls _ ->
        let hint =
            match endpoint with
            | Endpoint.Grpc _ -> "is --grpcport matchbox's gRPC port and not its HTTP port?"
            | Endpoint.Ipxe _ ->
                "is --httpport matchbox's HTTPS port (its -web-ssl), or does matchbox serve plain HTTP there (then drop --web-ssl)?"
        Lookup(LookupFailed(endpoint, LookupStatus.NoTls, $"the port does not speak TLS: {detail}; {hint}"))

let assetError url failure =
    let detail = describe failure
    match failure with
    | Untrusted _
    | OutOfDate _ -> Download(AssetNotTrusted(url, detail))
    | Misnamed _ -> Download(AssetNameMismatch(url, detail))
    | NotTls _ -> Download(AssetAnswerInvalid(url, $"no TLS: {detail}"))

module internal XenMatchbox.Domain.GrpcFailure

open System
open XenMatchbox.Domain.Errors

type Cause = { Kind: string; Message: string }

type Facts = { Status: string; Detail: string; Causes: Cause list; Tls: TlsFailure.Facts option }

let private firstLine (text: string) = text.Split('\n').[0]

let private has (fragment: string) (text: string) = text.Contains(fragment, StringComparison.Ordinal)

/// The alerts of TLS 1.2 and 1.3 (RFC 5246 §7.2, RFC 8446 §6) by number, named as OpenSSL names
/// them, for the messages that give only "SSL alert number N".
let private alertNames =
    Map
        [ 10, "unexpected message"
          20, "bad record mac"
          40, "handshake failure"
          42, "bad certificate"
          43, "unsupported certificate"
          44, "certificate revoked"
          45, "certificate expired"
          46, "certificate unknown"
          47, "illegal parameter"
          48, "unknown ca"
          49, "access denied"
          50, "decode error"
          51, "decrypt error"
          70, "protocol version"
          71, "insufficient security"
          80, "internal error"
          86, "inappropriate fallback"
          90, "user canceled"
          109, "missing extension"
          110, "unsupported extension"
          112, "unrecognized name"
          115, "unknown psk identity"
          116, "certificate required"
          120, "no application protocol" ]

/// The alerts a server sends about the client's certificate: none, another CA, expired, revoked,
/// or not allowed in.
let private certificateAlerts =
    set
        [ "bad certificate"
          "unsupported certificate"
          "certificate revoked"
          "certificate expired"
          "certificate unknown"
          "unknown ca"
          "access denied"
          "certificate required" ]

/// The alert the peer sent, as OpenSSL reports one it received: a part of its error text (parts
/// are separated by ':') that reads "<version> alert <description>" (e.g. "sslv3 alert bad
/// certificate", "tlsv1 alert unknown ca", "tlsv13 alert certificate required"), or "SSL alert
/// number N". Alerts this side raised are reported otherwise, so this is the server's word.
let private receivedAlert (text: string) =
    text.Split(':')
    |> Array.tryPick (fun part ->
        let words = part.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)
        let version = if words.Length > 0 then words[0].ToLowerInvariant() else ""
        match words with
        | [| _; "alert"; "number"; number |] when version = "ssl" ->
            match Int32.TryParse number with
            | true, n -> Some(alertNames.TryFind n |> Option.defaultValue $"number {n}")
            | _ -> None
        | _ when words.Length >= 3 && words[1] = "alert" && (version.StartsWith "sslv" || version.StartsWith "tlsv") ->
            // The alert's name, without whatever text follows it in the message.
            let said = String.Join(" ", words[2..])
            alertNames.Values
            |> Seq.tryFind (fun name -> said = name || said.StartsWith(name + " ", StringComparison.Ordinal))
            |> Option.orElse (Some(Text.shown 40 said))
        | _ -> None)

/// The server closed the connection after the TLS handshake, before a byte of HTTP/2, without an
/// alert: a server going away between the handshake and its first HTTP/2 frame, a TLS front whose
/// backend is down, or a server that refuses the client certificate without an alert (a .NET one:
/// under TLS 1.3 it judges the certificate after the client has finished its handshake).
let private closedBeforeHttp2 (text: string) = has "did not complete the HTTP/2 handshake" text

let classify endpoint labels (time: Limits.TryTime) (facts: Facts) =
    let text = facts.Causes |> List.map (fun c -> c.Message) |> String.concat " "
    let kinds = facts.Causes |> List.map (fun c -> c.Kind)
    let detail = firstLine facts.Detail
    let alert = receivedAlert text |> Option.orElse (receivedAlert facts.Detail)
    let tls = facts.Tls |> Option.bind TlsFailure.judge
    let endpoint = Endpoint.Grpc endpoint
    match facts.Status with
    | "NotFound" when has "Profile" facts.Detail -> Lookup(NoMatchingProfile labels)
    | "NotFound" -> Lookup(NoMatchingGroup labels)
    | "DeadlineExceeded" ->
        Lookup(ServerTimedOut(endpoint, $"no answer within {Limits.within time time.AnswerMilliseconds}"))
    | _ when
        kinds
        |> List.exists (fun k ->
            k = "TimeoutException" || k = "OperationCanceledException" || k = "TaskCanceledException")
        ->
        Lookup(ServerTimedOut(endpoint, $"no connection within {Limits.within time time.ConnectMilliseconds}"))
    | _ when tls.IsSome -> TlsFailure.lookupError endpoint tls.Value
    | _ when has "frame size" text || has "corrupted frame" text ->
        Lookup(
            LookupFailed(
                endpoint,
                LookupStatus.NoTls,
                "the port does not speak TLS; is --grpcport matchbox's gRPC port and not its HTTP port?"
            )
        )
    | _ when has "RemoteCertificateNameMismatch" text ->
        Lookup(ServerNameMismatch(endpoint, "RemoteCertificateNameMismatch"))
    | _ when has "RemoteCertificateChainErrors" text || has "PartialChain" text || has "UntrustedRoot" text ->
        Lookup(ServerNotTrusted(endpoint, "the chain does not lead to the --ca certificate"))
    | _ when alert.IsSome ->
        let name = Option.defaultValue "" alert
        if certificateAlerts.Contains name then
            Lookup(ClientCertificateRefused(endpoint, name))
        else
            Lookup(
                LookupFailed(
                    endpoint,
                    LookupStatus.Grpc facts.Status,
                    $"the TLS handshake ended with the alert \"{name}\" from the server"
                )
            )
    | _ when kinds |> List.contains "SocketException" ->
        let socket = facts.Causes |> List.find (fun c -> c.Kind = "SocketException")
        Lookup(ServerUnreachable(endpoint, socket.Message))
    | _ when closedBeforeHttp2 text || closedBeforeHttp2 facts.Detail ->
        Lookup(ServerUnreachable(endpoint, LookupError.ClosedAfterHandshake))
    | _ when has "server closed the connection" text || has "server closed the connection" facts.Detail ->
        // An HTTP/2 GOAWAY or a close mid-call, whatever status the client made of it: a server stopping.
        Lookup(ServerUnreachable(endpoint, $"the connection was closed: {detail}"))
    | _ when kinds |> List.contains "AuthenticationException" ->
        Lookup(
            ServerUnreachable(
                endpoint,
                $"the TLS handshake broke off without an alert from the server (reset or closed): {detail}"
            )
        )
    | "Unavailable" -> Lookup(ServerUnreachable(endpoint, $"the connection was closed or reset: {detail}"))
    | status -> Lookup(LookupFailed(endpoint, LookupStatus.Grpc status, detail))
